import { execFileSync } from 'node:child_process';

// Layout checks measured in the page (Playwright's isolated world, so
// they work with the page's JavaScript off). Returns a list of problems:
// empty when nothing overflows its box, nothing scrolls sideways, the
// direction is the language's, start-aligned text sits at the start edge
// (the right one on right-to-left pages), and the codename, its digits and
// the field that takes them stay left to right.
export function layoutProblems(page, rtl) {
	return page.evaluate((rtl) => {
		const out = [];
		const name = (el) => el.tagName.toLowerCase() +
			(el.id ? `#${el.id}` : '') +
			(el.className && typeof el.className === 'string' ?
				`.${el.className.split(' ')[0]}` : '');
		const root = document.documentElement;
		const vw = root.clientWidth;
		if (root.scrollWidth > vw)
			out.push(`the page scrolls sideways: ${root.scrollWidth} > ${vw}`);
		const trap = document.querySelector('.hp');
		for (const el of document.body.querySelectorAll('*')) {
			if ((trap && trap.contains(el)) || el.closest('svg') !== null &&
			    el.tagName.toLowerCase() !== 'svg')
				continue;
			const cs = getComputedStyle(el);
			if (cs.display === 'none')
				continue;
			const r = el.getBoundingClientRect();
			if (r.width && (r.left < -0.5 || r.right > vw + 0.5))
				out.push(`${name(el)} leaves the viewport: ${r.left}..${r.right}`);
			// Form controls scroll inside by design; inline boxes have no
			// client width.
			if (cs.display === 'inline' || el.matches('input, textarea'))
				continue;
			if (el.scrollWidth > el.clientWidth + 1 && cs.overflowX === 'visible')
				out.push(`${name(el)} overflows: ${el.scrollWidth} > ${el.clientWidth}`);
		}
		const want = rtl ? 'rtl' : 'ltr';
		const dir = getComputedStyle(document.body).direction;
		if (dir !== want)
			out.push(`the body's direction is ${dir}`);
		// The heading's first line starts at main's start edge.
		const main = document.querySelector('main');
		const ms = getComputedStyle(main), mr = main.getBoundingClientRect();
		const range = document.createRange();
		range.selectNodeContents(document.querySelector('h1'));
		const line = range.getClientRects()[0];
		const start = rtl ? mr.right - parseFloat(ms.paddingRight) :
			mr.left + parseFloat(ms.paddingLeft);
		const edge = rtl ? line.right : line.left;
		if (Math.abs(edge - start) > 2)
			out.push(`the heading starts at ${edge}, not at ${start}`);
		// The warning's rule is on the start side.
		const warn = document.querySelector('.warn');
		if (warn) {
			const s = getComputedStyle(warn);
			const side = rtl ? s.borderRightWidth : s.borderLeftWidth;
			if (side !== '4px')
				out.push(`the warning's rule is not at the start: ${side}`);
		}
		for (const sel of ['#codename', '.digits']) {
			const el = document.querySelector(sel);
			if (el && getComputedStyle(el).direction !== 'ltr')
				out.push(`${sel} is not left to right`);
		}
		return out;
	}, rtl);
}

// The characters of the page's text that no font it was drawn with has:
// they would show as boxes. Asks the browser which system fonts drew the
// text (DevTools protocol, no page script) and fontconfig what each holds.
const charsets = new Map();
function charset(family) {
	if (!charsets.has(family)) {
		const out = execFileSync('fc-list', ['--format', '%{charset}\n',
			family.replace(/[-:,\\]/g, '\\$&')], { encoding: 'utf8' });
		charsets.set(family, out.split(/\s+/).filter(Boolean).map((r) => {
			const [a, b] = r.split('-').map((h) => parseInt(h, 16));
			return [a, b ?? a];
		}));
	}
	return charsets.get(family);
}

export async function missingGlyphs(page) {
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('DOM.enable');
	await cdp.send('CSS.enable');
	const { root } = await cdp.send('DOM.getDocument');
	const { nodeIds } = await cdp.send('DOM.querySelectorAll',
		{ nodeId: root.nodeId, selector: 'body *' });
	const families = new Set();
	for (const nodeId of nodeIds) {
		const { fonts } = await cdp.send('CSS.getPlatformFontsForNode',
			{ nodeId });
		for (const f of fonts) families.add(f.familyName);
	}
	await cdp.detach();
	const text = await page.evaluate(() => document.body.innerText);
	const chars = new Set([...text].filter((c) => c.codePointAt(0) > 0x7f &&
		!/\s/.test(c)));
	return [...chars].filter((c) => {
		const cp = c.codePointAt(0);
		return ![...families].some((f) =>
			charset(f).some(([a, b]) => cp >= a && cp <= b));
	});
}
