// The whole journey by keyboard alone (Tab, Enter, Space and typing; no
// clicks), with JavaScript off, in Uyghur (right to left) on a phone's
// width. Every control reached shows where the focus is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

// Presses Tab until selector has the focus, and checks it is visible.
async function tabTo(page, selector) {
	const target = page.locator(selector).first();
	for (let i = 0; i < 40; i++) {
		await page.keyboard.press('Tab');
		if (await target.evaluate((e) => e === document.activeElement)) {
			const outline = await target.evaluate((e) =>
				getComputedStyle(e).outlineStyle);
			assert.notEqual(outline, 'none', `${selector}: focus not shown`);
			return;
		}
	}
	throw new Error(`Tab never reached ${selector}`);
}

// Presses key and waits until the page that answers method path has
// loaded (waiting for the response alone could look at the old page).
async function press(page, key, method, path) {
	await Promise.all([
		page.waitForResponse((r) => new URL(r.url()).pathname === path &&
			r.request().method() === method),
		page.waitForEvent('load'),
		page.keyboard.press(key),
	]);
}

// env.drop and env.browser are set before the tests run.
export function keyboardTests(env) {
	test('the journey by keyboard alone, in Uyghur, JavaScript off', async () => {
		const { drop, browser } = env;
		const ctx = await browser.newContext({
			javaScriptEnabled: false, viewport: { width: 360, height: 800 },
		});
		const page = await ctx.newPage();
		await page.goto(`${drop.url}/?l=ug`);

		await tabTo(page, 'form[action="/new"] button');
		await press(page, 'Enter', 'POST', '/new');
		const words = (await page.textContent('#codename')).trim();
		assert.match(words, /^([a-z-]+ ){6}[a-z-]+$/);

		await tabTo(page, 'main a[href="/submit"]');
		await press(page, 'Enter', 'GET', '/submit');
		const marker = randomBytes(8).toString('hex');
		await tabTo(page, '#message');
		await page.keyboard.type(`By keyboard ${marker}`);
		await tabTo(page, '#file');
		// Space on the focused file input opens the chooser; a press
		// that Chromium drops while busy is pressed again, up to three
		// times in the same 30 s the test always allowed.
		let chooser = null;
		for (let i = 0; i < 3 && !chooser; i++) {
			[chooser] = await Promise.all([
				page.waitForEvent('filechooser', { timeout: 10000 })
					.catch(() => null),
				page.keyboard.press('Space'),
			]);
		}
		assert.ok(chooser, 'Space on the file input opened no chooser');
		await chooser.setFiles({ name: 'keys.txt', mimeType: 'text/plain',
			buffer: Buffer.from(`typed ${marker}\n`) });
		await tabTo(page, 'form[action="/submit"] button[type=submit]');
		await press(page, 'Enter', 'POST', '/submit');
		assert.equal(await page.locator('.reply, form[action="/submit"]')
			.count(), 0, 'the submission was received');

		await tabTo(page, 'form.logout button');
		await press(page, 'Space', 'POST', '/logout');
		await tabTo(page, 'main a[href="/?l=ug"]');
		await press(page, 'Enter', 'GET', '/');
		await tabTo(page, 'main a[href="/login"]');
		await press(page, 'Enter', 'GET', '/login');
		await tabTo(page, '#codename');
		await page.keyboard.type(words);
		await press(page, 'Enter', 'GET', '/replies');
		assert.equal(await page.getAttribute('html', 'lang'), 'ug');

		const read = drop.roundTrip(marker, `Received, ${marker}.`);
		assert.match(read, new RegExp(`By keyboard ${marker}`));
		// The current language's link in the menu reloads the page.
		await tabTo(page, 'nav.langs a[aria-current]');
		await press(page, 'Enter', 'GET', '/replies');
		assert.equal(await page.locator('.reply').count(), 1);
		await tabTo(page, '.reply button');
		await press(page, 'Enter', 'GET', '/replies');
		assert.equal(await page.locator('.reply').count(), 0);
		await tabTo(page, 'form.logout button');
		await press(page, 'Enter', 'POST', '/logout');
		await ctx.close();
	});
}
