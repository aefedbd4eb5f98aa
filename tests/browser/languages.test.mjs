// Every page a source reaches, in every language, read by Chromium with
// JavaScript off: on a page not in English no text holds Latin-script
// words but the listed proper names, and on a right-to-left page every
// element that holds text is laid out right to left, unless it is set
// apart on purpose (the codename, its digits, the language menu, the
// newsroom's replies, and Latin names isolated in <bdi>).
// tests/integration/drop_languages.sh covers the pages this drop cannot
// reach (a full drop's 503) and the operator's per-language texts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDrop, launch, languages } from './drop.mjs';

// Tor Browser, the QR code, the IP address, the unit, and the English
// labels of Tor Browser's controls.
const allowed = new Set(['Tor', 'Browser', 'QR', 'IP', 'MB', 'Safest',
	'New', 'Identity']);
// Set apart from the page's direction on purpose.
const apart = 'nav.langs, #codename, .digits, .reply, bdi';

let drop, browser;
before(async () => {
	drop = await startDrop();
	browser = await launch();
});
after(async () => {
	await browser?.close();
	await drop?.stop();
});

// The problems of the page shown: Latin words outside the list, and text
// laid out against the page's direction.
async function problems(page, code, rtl) {
	return page.evaluate(({ code, rtl, allowed, apart }) => {
		const out = [];
		const texts = [document.title];
		for (const e of document.querySelectorAll('[aria-label]'))
			texts.push(e.getAttribute('aria-label'));
		const walk = document.createTreeWalker(document.body,
			NodeFilter.SHOW_TEXT);
		for (let n; (n = walk.nextNode());) {
			const e = n.parentElement;
			if (!n.data.trim() || e.closest('nav.langs, #codename, ' +
				'.digits, .reply'))
				continue;
			texts.push(n.data);
			if (rtl && !e.closest(apart) &&
			    getComputedStyle(e).direction !== 'rtl')
				out.push(`ltr <${e.localName}>: ${n.data.trim()}`);
		}
		if (code !== 'en')
			for (const t of texts)
				for (const w of t.match(/[A-Za-z]+/g) || [])
					if (!allowed.includes(w))
						out.push(`Latin: ${w} in "${t.trim()}"`);
		return out;
	}, { code, rtl, allowed: [...allowed], apart });
}

test('every page of every language: its script and direction', async () => {
	// One source with a reply, shown in every language.
	const ctx = await browser.newContext({ javaScriptEnabled: false,
		locale: 'en-US' });
	const page = await ctx.newPage();
	await page.goto(`${drop.url}/?l=en`);
	await page.locator('form[action="/new"] button').click();
	await page.goto(`${drop.url}/submit`);
	await page.fill('#message', 'languages marker');
	await page.locator('form[action="/submit"] button').click();
	drop.roundTrip('languages marker', 'Спасибо. رەھمەت. 谢谢.');

	for (const { code, rtl } of languages) {
		const seen = [];
		const check = async (on, name, status, res) => {
			await on.waitForLoadState();
			if (res) assert.equal(res.status(), status, `${code} ${name}`);
			assert.equal(await on.getAttribute('html', 'lang'), code);
			assert.equal(await on.getAttribute('html', 'dir'),
				rtl ? 'rtl' : 'ltr');
			seen.push(...(await problems(on, code, rtl))
				.map((p) => `${name}: ${p}`));
		};
		await check(page, 'replies', 200,
			await page.goto(`${drop.url}/replies?l=${code}`));
		assert.equal(await page.locator('.reply').count(), 1);

		// A visitor's pages, in a browser of their own.
		const c2 = await browser.newContext({ javaScriptEnabled: false,
			locale: 'en-US' });
		const p2 = await c2.newPage();
		const go = async (name, status, path) =>
			check(p2, name, status, await p2.goto(`${drop.url}${path}`));
		const post = async (name, status, sel) => {
			const [res] = await Promise.all([
				p2.waitForResponse((r) => r.request().method() === 'POST'),
				p2.locator(sel).first().click(),
			]);
			await check(p2, name, status, res);
		};
		await go('landing', 200, `/?l=${code}`);
		await go('login', 200, '/login');
		await go('404', 404, '/nothing-here');
		await go('405', 405, '/new');
		await p2.goto(`${drop.url}/login`);
		await p2.fill('#codename', 'not a codename at all');
		await post('failed login', 403, 'form[action="/login"] button');
		await p2.goto(`${drop.url}/`);
		await post('codename', 200, 'form[action="/new"] button');
		await go('submit', 200, '/submit');
		await post('empty submission', 400, 'form[action="/submit"] button');
		await p2.goto(`${drop.url}/submit`);
		await p2.fill('#message', `testimony ${code}`);
		await post('submitted', 200, 'form[action="/submit"] button');
		await go('replies, none', 200, '/replies');
		await post('logout', 200, 'form.logout button');
		await c2.close();
		assert.deepEqual(seen, [], code);
	}
	await ctx.close();
});
