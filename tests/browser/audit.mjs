// Accessibility, audited by axe-core on every page in every language. axe
// is a script, so it runs only in a context of its own with JavaScript on
// (and the page's CSP bypassed to let it in); the journeys never see it.
// No serious or critical violation is allowed, and every form control
// must have a label.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { languages } from './drop.mjs';

const axeSource = readFileSync(
	createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function audit(page, what) {
	await page.addScriptTag({ content: axeSource });
	const result = await page.evaluate(() =>
		axe.run(document, { resultTypes: ['violations'] }));
	const bad = result.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.id} (${v.impact}): ` +
			v.nodes.map((n) => n.target.join(' ')).join(', '));
	assert.deepEqual(bad, [], what);
	const unlabelled = await page.evaluate(() => [...document.querySelectorAll(
		'input:not([type=hidden]), textarea, select')]
		.filter((e) => !e.labels.length && !e.getAttribute('aria-label'))
		.map((e) => e.name));
	assert.deepEqual(unlabelled, [], `${what}: controls without a label`);
}

// env.drop and env.browser are set before the tests run.
export function auditTests(env) {
	for (const { code } of languages) {
		test(`accessibility of every page in ${code}`, async () => {
			const { drop, browser } = env;
			const ctx = await browser.newContext({
				javaScriptEnabled: true, bypassCSP: true,
				viewport: { width: 360, height: 900 },
			});
			const page = await ctx.newPage();
			// Submits a form and waits for the answer to have loaded.
			const submit = (selector, path) => Promise.all([
				page.waitForResponse((r) => r.url().endsWith(path) &&
					r.request().method() === 'POST'),
				page.waitForEvent('load'),
				page.locator(selector).first().click(),
			]);
			await page.goto(`${drop.url}/nothing-here?l=${code}`);
			await audit(page, `${code} not found`);
			await page.goto(`${drop.url}/?l=${code}`);
			await audit(page, `${code} landing`);
			await page.goto(`${drop.url}/login`);
			await audit(page, `${code} login`);
			await page.fill('#codename', 'wrong');
			await submit('form[action="/login"] button', '/login');
			await audit(page, `${code} refused`);
			await page.goto(`${drop.url}/`);
			await submit('form[action="/new"] button', '/new');
			await audit(page, `${code} codename`);
			await page.goto(`${drop.url}/submit`);
			await audit(page, `${code} submit`);
			const marker = randomBytes(8).toString('hex');
			await page.fill('#message', `audit ${marker}`);
			await submit('form[action="/submit"] button[type=submit]', '/submit');
			await audit(page, `${code} received`);
			drop.roundTrip(marker, `A reply to the audit, ${marker}.`);
			await page.goto(`${drop.url}/replies`);
			assert.equal(await page.locator('.reply').count(), 1);
			await audit(page, `${code} replies`);
			await submit('form.logout button', '/logout');
			await audit(page, `${code} logged out`);
			assert.equal(await page.getAttribute('html', 'lang'), code);
			await ctx.close();
		});
	}
}
