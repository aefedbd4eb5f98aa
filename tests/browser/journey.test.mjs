// The source's whole journey in real Chromium with JavaScript disabled,
// by clicking and typing like a person, in every language at a phone's
// width and a desktop's: landing, a new codename, a message and a file
// through the file chooser, logout, return with the codename (words, then
// digits), a reply placed by the round-trip tooling, delete. Every page is
// photographed to build/screenshots/LANG-WIDTH-PAGE.png and measured: the
// right language and direction, nothing wider than its box, right-to-left
// pages mirrored, the codename left to right, under 30 KB.
//
// Measuring uses Playwright's evaluate, which runs in its own isolated
// world: it works with the page's JavaScript off, and the first test
// checks that the page's own scripts really do not run.
//
// This file also runs, on the same drop and browser, the journey by
// keyboard alone (keyboard.mjs) and the axe audit of every page in every
// language (audit.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startDrop, launch, shots, languages, catalog } from './drop.mjs';
import { layoutProblems, missingGlyphs } from './layout.mjs';
import { auditTests } from './audit.mjs';
import { keyboardTests } from './keyboard.mjs';

// One drop and one browser for every test.
const env = {};
let drop, browser, cssBytes;
before(async () => {
	mkdirSync(shots, { recursive: true });
	drop = env.drop = await startDrop();
	browser = env.browser = await launch();
	const res = await fetch(drop.url + '/style.css');
	cssBytes = (await res.arrayBuffer()).byteLength;
});
after(async () => {
	await browser?.close();
	await drop?.stop();
});

test('scripts do not run in a context with JavaScript off', async () => {
	const ctx = await browser.newContext({ javaScriptEnabled: false });
	const page = await ctx.newPage();
	await page.setContent('<title>before</title>' +
		'<script>document.title = "ran"</script>');
	assert.equal(await page.title(), 'before');
	await ctx.close();
});

// The narrowest phones: the pages anyone can open, in every language.
test('every open page fits 320 px in every language', async () => {
	const ctx = await browser.newContext({ javaScriptEnabled: false,
		viewport: { width: 320, height: 640 } });
	const page = await ctx.newPage();
	for (const { code, rtl } of languages) {
		for (const path of ['/', '/login', '/nothing-here']) {
			await page.goto(`${drop.url}${path}?l=${code}`);
			assert.deepEqual(await layoutProblems(page, rtl), [],
				`${code} ${path} at 320 px`);
		}
	}
	await ctx.close();
});

for (const { code, rtl } of languages) {
	const t = catalog(code);
	for (const width of [360, 1280]) {
		test(`journey in ${code} at ${width} px with JavaScript off`,
			() => journey(code, rtl, t, width));
	}
}

async function journey(code, rtl, t, width) {
	const ctx = await browser.newContext({
		javaScriptEnabled: false,
		viewport: { width, height: 900 },
		// As Tor Browser does, whatever the reader's language.
		locale: 'en-US',
	});
	const page = await ctx.newPage();
	const outside = [];
	page.on('request', (r) => {
		if (!r.url().startsWith(drop.url)) outside.push(r.url());
	});
	// Every page: its language, its heading, its layout, its size, and a
	// screenshot.
	const check = async (name, titleKey) => {
		await page.waitForLoadState();
		const what = `${code} ${width} ${name}`;
		assert.equal(await page.getAttribute('html', 'lang'), code, what);
		assert.equal(await page.getAttribute('html', 'dir'),
			rtl ? 'rtl' : 'ltr', what);
		assert.equal((await page.textContent('h1')).trim(), t[titleKey],
			what);
		assert.deepEqual(await layoutProblems(page, rtl), [], what);
		const html = Buffer.byteLength(await page.content());
		assert.ok(html + cssBytes < 30 * 1024,
			`${what}: ${html} + ${cssBytes} bytes`);
		// The menu names every language in its own script: the landing
		// page shows them all.
		if (name === 'landing')
			assert.deepEqual(await missingGlyphs(page), [],
				`${what}: characters no font has`);
		await page.screenshot({ fullPage: true,
			path: join(shots, `${code}-${width}-${name}.png`) });
	};
	const click = (selector) => page.locator(selector).first().click();
	const logoutAndReturn = async () => {
		await click('form.logout button');
		await check('logout', 'logout.title');
		// The session that held the language is gone; the link keeps it.
		await click(`main a[href="/?l=${code}"]`);
		await click('main a[href="/login"]');
	};

	// Landing, chosen once by ?l=; the session keeps it from here on.
	const res = await page.goto(`${drop.url}/?l=${code}`);
	assert.equal(res.status(), 200);
	await check('landing', 'landing.title');
	assert.equal(await page.locator('nav.langs a').count(), languages.length);
	assert.equal(await page.locator('nav.langs a[aria-current]')
		.getAttribute('hreflang'), code);

	// A new codename, shown once, with its QR code and digits.
	await click('form[action="/new"] button');
	await check('codename', 'codename.title');
	const words = (await page.textContent('#codename')).trim();
	assert.match(words, /^([a-z-]+ ){6}[a-z-]+$/);
	const digits = (await page.textContent('.digits')).trim();
	assert.match(digits, /^(\d{4} ){6}\d{4}$/);
	assert.equal(await page.locator('#codename-qr svg').count(), 1);
	assert.equal(await page.locator('nav.langs').count(), 0,
		'no language menu leads off the codename page');
	// On paper: the codename, its digits and QR code, and nothing to click.
	await page.emulateMedia({ media: 'print' });
	for (const sel of ['#codename', '.digits', '#codename-qr svg', '.warn'])
		assert.ok(await page.locator(sel).isVisible(), `${sel} in print`);
	for (const sel of ['header', 'main a.button'])
		assert.ok(!await page.locator(sel).isVisible(), `${sel} in print`);
	assert.equal(await page.locator('#codename').evaluate((e) =>
		getComputedStyle(e).borderTopStyle), 'solid', 'a plain frame on paper');
	await page.screenshot({ fullPage: true,
		path: join(shots, `${code}-${width}-codename-print.png`) });
	await page.emulateMedia({ media: 'screen' });

	// A message and a file, through the form like a person.
	await click('main a[href="/submit"]');
	await check('submit', 'submit.title');
	const marker = randomBytes(8).toString('hex');
	await page.getByLabel(t['submit.message']).fill(`Testimony ${marker}`);
	await page.setInputFiles('input[type=file][name=file]', {
		name: 'notes.txt', mimeType: 'text/plain',
		buffer: Buffer.from(`file body ${marker}\n`),
	});
	const [sent] = await Promise.all([
		page.waitForResponse((r) => r.url().endsWith('/submit') &&
			r.request().method() === 'POST'),
		page.getByRole('button', { name: t['submit.send'] }).click(),
	]);
	assert.equal(sent.status(), 200);
	await check('received', 'submitted.title');

	// Log out, and come back with the codename's words.
	await logoutAndReturn();
	await check('login', 'login.title');
	await page.getByLabel(t['login.field']).fill(words.toUpperCase());
	await page.getByRole('button', { name: t['login.go'] }).click();
	assert.match(page.url(), /\/replies$/);
	assert.equal(await page.locator('.reply').count(), 0);
	await check('replies-empty', 'replies.title');

	// The newsroom reads it offline and replies.
	const reply = `We read it, ${marker}. Спасибо. شۇنداق. 谢谢.`;
	const read = drop.roundTrip(marker, reply);
	assert.match(read, new RegExp(`Testimony ${marker}`));
	await page.reload();
	assert.equal((await page.textContent('.reply p')).trim(), reply);
	await check('replies', 'replies.title');

	// Delete it for real.
	await page.getByRole('button', { name: t['replies.delete'] }).click();
	assert.match(page.url(), /\/replies$/);
	assert.equal(await page.locator('.reply').count(), 0);

	// The digits spelling derives the same source.
	await logoutAndReturn();
	await page.getByLabel(t['login.field']).fill(digits);
	await click('form[action="/login"] button');
	assert.match(page.url(), /\/replies$/);
	assert.equal(await page.getAttribute('html', 'lang'), code);

	// A wrong codename gets the uniform refusal, in the same language.
	await logoutAndReturn();
	await page.getByLabel(t['login.field']).fill('not a codename at all');
	const [bad] = await Promise.all([
		page.waitForResponse((r) => r.url().endsWith('/login') &&
			r.request().method() === 'POST'),
		click('form[action="/login"] button'),
	]);
	assert.equal(bad.status(), 403);
	await check('refused', 'error.403.title');

	assert.deepEqual(outside, [], 'no request left the drop');
	await ctx.close();
}

keyboardTests(env);
auditTests(env);
