/*
 * conf.h - the server's settings: DIR/sealdrop.conf.
 *
 * `key = value` lines, `#` comments, one key per line, each at most once.
 * newsroom_name and intro may also be given per language, `KEY.CODE`, with
 * CODE one of `languages`.
 * One table names every key with its range, default and documentation;
 * the parser, the file init writes and docs/config.md all follow it, so a
 * limit cannot exist without a default and a bound.
 */
#ifndef SEALDROP_CONF_H
#define SEALDROP_CONF_H

#include <stddef.h>
#include <sys/socket.h>

#define CONF_FILE_MAX 65536  /* bytes of the whole file */
#define CONF_LINE_MAX 4096   /* bytes of one line */
#define CONF_LISTEN_MAX 64
#define CONF_NAME_MAX 200
#define CONF_INTRO_MAX 2000
#define CONF_LANGS_MAX 200
#define CONF_PATH_MAX 200
#define CONF_CODE_MAX 13     /* a language code, with its NUL */
#define CONF_TEXT_LANGS 16   /* languages with texts of their own */

/* The operator's texts for one language, from `newsroom_name.CODE` and
 * `intro.CODE` lines. An empty field was not given: the page shows the
 * language's translated default (see page.c), never the English. */
typedef struct conf_lang_text {
	char code[CONF_CODE_MAX];  /* as written; "" for an unused slot */
	char newsroom_name[CONF_NAME_MAX + 1];
	char intro[CONF_INTRO_MAX + 1];
	int line;                  /* where the code first appeared */
} conf_lang_text;

typedef struct conf {
	char listen[CONF_LISTEN_MAX];
	char newsroom_name[CONF_NAME_MAX + 1];
	char intro[CONF_INTRO_MAX + 1];
	char languages[CONF_LANGS_MAX + 1];
	char catalog_dir[CONF_PATH_MAX + 1];
	unsigned max_upload_mb;
	unsigned max_connections;
	unsigned connection_timeout_s;
	unsigned connection_memory_kb;
	unsigned connection_stack_kb;
	unsigned max_concurrent_uploads;
	unsigned upload_buffer_mb;
	unsigned min_upload_kb_s;     /* 0: no minimum */
	unsigned min_upload_window_s;
	unsigned kdf_workers;         /* 0: one per online CPU */
	unsigned kdf_wait_s;
	unsigned session_idle_min;
	unsigned session_idle_s;      /* when not 0, overrides the minutes */
	unsigned max_sessions;
	unsigned max_pending_sources;
	unsigned failed_logins_per_min;
	unsigned disk_floor_mb;
	unsigned argon2_opslimit;
	unsigned argon2_memlimit_mb;
	unsigned head_timeout_s;
	unsigned max_waiting_connections;
	unsigned proxy_protocol;      /* 1: on */
	unsigned circuit_connections;
	unsigned circuit_uploads;
	unsigned circuit_derivations;
	unsigned circuit_failed_logins_per_min;
	unsigned circuit_signups_per_hour;
	unsigned circuits;
	unsigned max_files;
	unsigned max_source_mb;
	unsigned sessions_per_source;
	/* Per-language newsroom_name and intro; the fields above without a
	 * code are the English page's. */
	conf_lang_text texts[CONF_TEXT_LANGS];
} conf;

/* Fills c with every default. */
void conf_defaults(conf *c);

/* Parses text (len bytes, untrusted) over the values already in c. Each
 * problem appends one line "name:LINE: what" to err (NUL-terminated,
 * truncated to errlen). Returns the number of problems; c is only
 * meaningful when that is 0. */
int conf_parse(conf *c, const char *name, const char *text, size_t len,
	       char *err, size_t errlen);

/* Defaults, then the file at path (at most CONF_FILE_MAX bytes). Returns
 * as conf_parse, or -1 with err set when the file cannot be read. */
int conf_load(conf *c, const char *path, char *err, size_t errlen);

/* Writes the documented default file to path (created 0600, never over an
 * existing file). 0, or -1 with errno. */
int conf_write_default(const char *path);

/* Parses "A.B.C.D:PORT" or "[IPV6]:PORT" into ss. 0, or -1 when it is not
 * a numeric address with a port. */
int conf_listen_parse(const char *s, struct sockaddr_storage *ss,
		      socklen_t *sslen);

/* The operator's text key ("newsroom_name" or "intro") for language
 * code: for "en" the value without a code (or its default); for another
 * code its own `KEY.CODE` value, or NULL when the file gives none. */
const char *conf_text(const conf *c, const char *key, const char *code);

/* Seconds of idle time after which a session is wiped. */
unsigned conf_session_idle(const conf *c);

#endif
