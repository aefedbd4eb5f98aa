// A throw-away newsroom and drop for the browser tests: a real key made by
// sealdrop-admin, a real `sealdrop serve` on a free loopback port, and the
// round-trip tooling (export, import, reply, outbox) between them.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync, readFileSync }
	from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const build = process.env.SEALDROP_BUILD;
if (!build) throw new Error('set SEALDROP_BUILD to the build directory');
export const shots = join(build, 'screenshots');
const top = fileURLToPath(new URL('../..', import.meta.url));

// The languages the drop ships, in the order of its default menu.
export const languages = [
	{ code: 'en', rtl: false }, { code: 'kk', rtl: false },
	{ code: 'kk-Arab', rtl: true }, { code: 'ug', rtl: true },
	{ code: 'ru', rtl: false }, { code: 'zh-Hans', rtl: false },
];

// What a page in language `code` should say for each key: the catalog's
// translation, else the template's English. Reads only what our own
// catalogs use: msgctxt, msgid, msgstr, continued strings, fuzzy flags.
export function catalog(code) {
	const read = (file) => {
		const out = {};
		const text = readFileSync(join(top, 'po', file), 'utf8');
		for (const entry of text.split(/\n[ \t]*\n/)) {
			if (/^#,.*\bfuzzy\b/m.test(entry)) continue;
			const f = {};
			let cur = null;
			for (const line of entry.split('\n')) {
				const m = line.match(/^(msgctxt|msgid|msgstr) (".*")$/);
				if (m) { cur = m[1]; f[cur] = JSON.parse(m[2]); }
				else if (cur && line.startsWith('"')) f[cur] += JSON.parse(line);
			}
			if (f.msgctxt !== undefined)
				out[f.msgctxt] = file.endsWith('.pot') ? f.msgid : f.msgstr;
		}
		return out;
	};
	const en = read('sealdrop.pot');
	if (code === 'en') return en;
	const own = read(`${code}.po`);
	return Object.fromEntries(Object.keys(en).map((k) => [k, own[k] || en[k]]));
}

export async function startDrop() {
	mkdirSync(join(build, 'test-tmp'), { recursive: true });
	const dir = mkdtempSync(join(build, 'test-tmp', 'browser-'));
	const pass = join(dir, 'pass');
	// Seven list words: what keygen --generate-passphrase gives.
	writeFileSync(pass, 'abacus zoom felt-tip yoyo t-shirt drop-down yo-yo\n',
		{ mode: 0o600 });
	const admin = (...args) => execFileSync(join(build, 'sealdrop-admin'),
		['--home', join(dir, 'admin'), '--passphrase-file', pass, ...args],
		{ encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
	const drop = (...args) => execFileSync(join(build, 'sealdrop'),
		['--data', join(dir, 'data'), ...args],
		{ encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
	admin('keygen');
	const init = drop('init', '--pubkey', join(dir, 'admin', 'newsroom.pub'));
	// The drop key's fingerprint, as the operator reads it out: the first
	// import pins it.
	const dropFpr = init.match(/^drop key \S+ fingerprint (.+)$/m)[1];

	const server = spawn(join(build, 'sealdrop'),
		['--data', join(dir, 'data'), 'serve', '--listen', '127.0.0.1:0'],
		{ stdio: ['ignore', 'pipe', 'inherit'] });
	const url = await new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error('serve did not start')), 15000);
		let out = '';
		server.stdout.on('data', (d) => {
			out += d;
			const m = out.match(/listening on (http:\/\/\S+?)\/?\n/);
			if (m) { clearTimeout(timer); resolve(m[1]); }
		});
		server.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
	});

	// Carries everything across the air gap and back: the journalist reads
	// each submission, finds the one that says `marker`, and replies
	// `text` to its source. Returns what was read, or throws.
	function roundTrip(marker, text) {
		drop('export', '--out', join(dir, 'export.bundle'));
		admin('import', join(dir, 'export.bundle'), '--trust', dropFpr);
		const rows = admin('list', '--tsv').trim().split('\n');
		const head = rows.shift().split('\t');
		// Newest first, as list gives them: the submission sought is
		// almost always the latest, and each read costs a passphrase
		// derivation.
		for (const row of rows.map((r) => r.split('\t'))) {
			const col = (name) => row[head.indexOf(name)];
			const read = admin('read', col('id'));
			if (!read.includes(marker))
				continue;
			writeFileSync(join(dir, 'reply.txt'), text);
			admin('reply', col('source'), '--message-file',
				join(dir, 'reply.txt'));
			admin('outbox', '--out', join(dir, 'outbox.bundle'));
			drop('import', join(dir, 'outbox.bundle'));
			return read;
		}
		throw new Error(`no submission says ${marker}`);
	}

	async function stop() {
		server.kill('SIGTERM');
		await new Promise((r) => server.exitCode !== null ? r() : server.on('exit', r));
		rmSync(dir, { recursive: true, force: true });
	}
	return { url, dir, admin, drop, roundTrip, stop };
}

export async function launch() {
	return chromium.launch({
		executablePath: '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu',
			'--disable-background-networking'],
	});
}
