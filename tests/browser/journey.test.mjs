// The source's whole journey in real Chromium with JavaScript disabled,
// by clicking and typing like a person: landing, a new codename, a message
// and a file through the file chooser, logout, return with the codename
// (words, then digits), a reply placed by the round-trip tooling, delete.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startDrop, launch, shots } from './drop.mjs';

let drop, browser;
before(async () => {
	mkdirSync(shots, { recursive: true });
	drop = await startDrop();
	browser = await launch();
});
after(async () => {
	await browser?.close();
	await drop?.stop();
});

for (const width of [360, 1280]) {
	test(`journey at ${width} px with JavaScript off`, async () => {
		const ctx = await browser.newContext({
			javaScriptEnabled: false,
			viewport: { width, height: 900 },
		});
		const page = await ctx.newPage();
		const shot = (name) => page.screenshot({
			path: join(shots, `en-${width}-${name}.png`), fullPage: true });
		const scripts = [];
		page.on('request', (r) => {
			if (!r.url().startsWith(drop.url)) scripts.push(r.url());
		});

		// Landing.
		let res = await page.goto(drop.url + '/');
		assert.equal(res.status(), 200);
		assert.equal(await page.getAttribute('html', 'lang'), 'en');
		await shot('landing');

		// A new codename, shown once, with its QR code and digits.
		await page.getByRole('button', { name: 'Get a codename' }).click();
		const words = (await page.textContent('#codename')).trim();
		assert.match(words, /^([a-z-]+ ){6}[a-z-]+$/);
		const digits = (await page.textContent('.digits')).trim();
		assert.match(digits, /^(\d{4} ){6}\d{4}$/);
		assert.equal(await page.locator('#codename-qr svg').count(), 1);
		await shot('codename');

		// A message and a file, through the form like a person.
		await page.getByRole('link', { name: /send your message/i }).click();
		const marker = randomBytes(8).toString('hex');
		await page.getByLabel('Your message').fill(`Testimony ${marker}`);
		await page.setInputFiles('input[type=file][name=file]', {
			name: 'notes.txt', mimeType: 'text/plain',
			buffer: Buffer.from(`file body ${marker}\n`),
		});
		await shot('submit');
		const [resp] = await Promise.all([
			page.waitForResponse((r) => r.url().endsWith('/submit') &&
				r.request().method() === 'POST'),
			page.getByRole('button', { name: 'Send securely' }).click(),
		]);
		assert.equal(resp.status(), 200);
		await page.waitForLoadState();
		assert.match(await page.textContent('h1'), /Received/);
		await shot('received');

		// Log out; the session is gone.
		await page.getByRole('button', { name: 'Log out' }).click();
		await shot('logout');
		res = await page.goto(drop.url + '/replies');
		assert.match(page.url(), /\/login$/);

		// Return with the codename's words.
		await page.getByLabel(/codename/i).fill(words.toUpperCase());
		await page.getByRole('button', { name: 'Log in' }).click();
		assert.match(page.url(), /\/replies$/);
		assert.equal(await page.locator('.reply').count(), 0);
		await shot('replies-empty');

		// The newsroom reads it offline and replies.
		const reply = `We read it, ${marker}. Thank you.`;
		const read = drop.roundTrip(marker, reply);
		assert.match(read, new RegExp(`Testimony ${marker}`));
		await page.reload();
		await assert.doesNotReject(page.locator('.reply').first().waitFor());
		assert.equal((await page.textContent('.reply')).includes(reply), true);
		await shot('replies');

		// Delete it for real.
		await page.getByRole('button', { name: /^Delete this reply/ }).click();
		await page.goto(drop.url + '/replies');
		assert.equal(await page.locator('.reply').count(), 0);
		await page.getByRole('button', { name: 'Log out' }).click();

		// The digits spelling derives the same source.
		await page.goto(drop.url + '/login');
		await page.getByLabel(/codename/i).fill(digits);
		await page.getByRole('button', { name: 'Log in' }).click();
		assert.match(page.url(), /\/replies$/);

		// A wrong codename gets the uniform refusal.
		await page.getByRole('button', { name: 'Log out' }).click();
		await page.goto(drop.url + '/login');
		await page.getByLabel(/codename/i).fill('not a codename at all');
		const [bad] = await Promise.all([
			page.waitForResponse((r) => r.url().endsWith('/login') &&
				r.request().method() === 'POST'),
			page.getByRole('button', { name: 'Log in' }).click(),
		]);
		assert.equal(bad.status(), 403);

		assert.deepEqual(scripts, [], 'no request left the drop');
		await ctx.close();
	});
}
