// Browser tests of the public credit portal (issue 6: POR-1, POR-3, POR-4), driven by
// tests/e2e/run.sh against a real portal fed by a real government instance.
//
//   node portal.test.mjs before   search, subject, record, objection (refused, then
//                                 lodged), ticket lookups, no JavaScript, CSP, accessibility
//   node portal.test.mjs after    once the objection has crossed to the government side and
//                                 the next change set came back: the record is marked
//                                 异议处理中 and the ticket answers 信用办已收到
//
// Environment: XY_E2E_URL (the portal), XY_E2E_OUT (screenshots), XY_E2E_STATE (what the
// first phase hands the second), XY_E2E_FROM (first TAP number), XY_E2E_CHROMIUM.
// Speaks TAP: "ok N - name" / "not ok N - name" with "# " diagnostics.
//
// Every page is opened with JavaScript switched off in the browser (javaScriptEnabled:
// false): what the tests do, a visitor without JavaScript can do.
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const phase = process.argv[2];
const BASE = process.env.XY_E2E_URL;
const OUT = process.env.XY_E2E_OUT || 'build/e2e';
const STATE = process.env.XY_E2E_STATE || join(OUT, 'state.json');
const CHROMIUM = process.env.XY_E2E_CHROMIUM || '/usr/bin/chromium';
let n = Number(process.env.XY_E2E_FROM || 1);
let failed = 0;

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 740 };
const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'";

function check(cond, msg) {
	if (!cond) throw new Error(msg);
}

async function test(name, fn) {
	try {
		await fn();
		console.log(`ok ${n} - ${name}`);
	} catch (e) {
		failed++;
		console.log(`not ok ${n} - ${name}`);
		for (const line of String(e && e.stack || e).split('\n').slice(0, 8))
			console.log('# ' + line);
	}
	n++;
}

async function shot(page, name, full = true) {
	await page.screenshot({ path: join(OUT, name + '.png'), fullPage: full });
}

// The main text a visitor reads (no markup).
async function mainText(page) {
	return page.locator('main').innerText();
}

// A page that needs no horizontal scrolling at the current width.
async function noSideScroll(page, what) {
	const [sw, w] = await page.evaluate(() =>
		[document.documentElement.scrollWidth, window.innerWidth]);
	check(sw <= w, `${what}: ${sw}px wide in a ${w}px window (scrolls sideways)`);
}

// POR-4: what every page must be: Chinese, one h1, no skipped heading level, every form
// field labelled, the skip link, no script of any kind, the security headers.
async function pageRules(page, resp, what) {
	const h = resp.headers();
	check(h['content-security-policy'] === CSP, `${what}: CSP ${h['content-security-policy']}`);
	check(!/unsafe-inline|unsafe-eval/.test(h['content-security-policy']), `${what}: unsafe CSP`);
	check(h['x-content-type-options'] === 'nosniff', `${what}: nosniff`);
	check(h['referrer-policy'] === 'no-referrer', `${what}: referrer policy`);
	check(!('set-cookie' in h), `${what}: sets a cookie`);
	const r = await page.evaluate(() => {
		const heads = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(e => +e.tagName[1]);
		const fields = [...document.querySelectorAll('input:not([type=hidden]),textarea,select')];
		const unlabelled = fields.filter(f => !(f.labels && f.labels.length) &&
			!f.getAttribute('aria-label')).map(f => f.name);
		const handlers = [...document.querySelectorAll('*')].flatMap(e =>
			[...e.attributes].filter(a => /^on/i.test(a.name)).map(a => a.name));
		const jsLinks = [...document.querySelectorAll('[href],[action],[src]')].filter(e =>
			/^\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('action') ||
				e.getAttribute('src') || ''));
		return {
			lang: document.documentElement.lang, heads, unlabelled, handlers,
			scripts: document.querySelectorAll('script,noscript,iframe,object,embed').length,
			jsLinks: jsLinks.length, title: document.title,
			skip: document.querySelector('a.skip') && document.querySelector('a.skip').getAttribute('href'),
			imgsNoAlt: [...document.images].filter(i => !i.hasAttribute('alt')).length,
		};
	});
	check(r.lang === 'zh-CN', `${what}: lang=${r.lang}`);
	check(r.title.length > 0, `${what}: no title`);
	check(r.heads.filter(x => x === 1).length === 1, `${what}: h1 count ${r.heads}`);
	for (let i = 1; i < r.heads.length; i++)
		check(r.heads[i] <= r.heads[i - 1] + 1, `${what}: heading skips a level: ${r.heads}`);
	check(r.unlabelled.length === 0, `${what}: fields without a label: ${r.unlabelled}`);
	check(r.scripts === 0, `${what}: ${r.scripts} script/iframe/object elements`);
	check(r.handlers.length === 0, `${what}: inline event handlers ${r.handlers}`);
	check(r.jsLinks === 0, `${what}: javascript: URLs`);
	check(r.skip === '#main', `${what}: no skip link to #main`);
	check(r.imgsNoAlt === 0, `${what}: images without alt`);
}

async function go(page, path, what, want = 200) {
	const resp = await page.goto(BASE + path);
	check(resp.status() === want, `${what}: ${path} answered ${resp.status()}, not ${want}`);
	await pageRules(page, resp, what);
	return resp;
}

// A subject of the demo worth showing: found the way a crawler would, through the public
// JSON API: one with a penalty and records in at least three groups.
async function findSubject() {
	for (const q of ['有限公司', '公司']) {
		const r = await fetch(`${BASE}/api/v1/public/subjects?q=${encodeURIComponent(q)}`);
		const list = (await r.json()).subjects || [];
		for (const s of list) {
			const d = await (await fetch(`${BASE}/api/v1/public/subjects/${s.code}`)).json();
			const sets = new Set(d.records.map(x => x.dataset));
			const pen = d.records.find(x => x.dataset === 'XZCF' && !x.objection);
			if (pen && sets.size >= 3)
				return { code: s.code, name: s.name, record: pen.id };
		}
	}
	throw new Error('no demo subject with a penalty and three groups');
}

async function before(browser) {
	const ctx = await browser.newContext({ viewport: DESKTOP, javaScriptEnabled: false, locale: 'zh-CN' });
	const page = await ctx.newPage();
	const phone = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false,
		locale: 'zh-CN', isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
	const ppage = await phone.newPage();
	const st = {};

	await test('POR-1 home page offers the search and says how fresh the data is', async () => {
		Object.assign(st, await findSubject());
		await go(page, '/', 'home');
		check(await page.getByRole('heading', { level: 1 }).innerText() === '信用信息查询', 'h1');
		await page.getByLabel('企业名称或统一社会信用代码').waitFor();
		const foot = await page.locator('footer').innerText();
		check(/数据更新：第 1 期变更（\d{4}-\d\d-\d\d \d\d:\d\d，北京时间）/.test(foot), foot);
		await shot(page, '01-home-desktop');
		await go(ppage, '/', 'home (phone)');
		await noSideScroll(ppage, 'home (phone)');
		await shot(ppage, '01-home-phone');
	});

	await test('POR-4 keyboard: Tab reaches the skip link, the search field and the button, focus visible', async () => {
		await go(page, '/', 'home');
		const seen = [];
		for (let i = 0; i < 3; i++) {
			await page.keyboard.press('Tab');
			seen.push(await page.evaluate(() => {
				const e = document.activeElement;
				const cs = getComputedStyle(e);
				const r = e.getBoundingClientRect();
				return { tag: e.tagName, text: (e.innerText || e.id || '').trim(),
					outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2,
					onScreen: r.right > 0 && r.left < innerWidth && r.bottom > 0 && r.top < innerHeight };
			}));
			if (i === 0)
				await shot(page, '02-focus-skip-link', false);
		}
		check(seen[0].tag === 'A' && seen[0].text === '跳到主要内容', JSON.stringify(seen[0]));
		for (const s of seen)
			check(s.outline && s.onScreen, 'focus not visible: ' + JSON.stringify(s));
		// the skip link leads to the main content: the next Tab is the search field
		await page.goto(BASE + '/');
		await page.keyboard.press('Tab');
		await page.keyboard.press('Enter');
		await page.keyboard.press('Tab');
		check(await page.evaluate(() => document.activeElement.id) === 'q',
			'after the skip link, Tab is not on the search field');
		await shot(page, '02-focus-search-field', false);
	});

	await test('POR-1 search by a name fragment lists the subject', async () => {
		// a fragment from the middle of the name: trigram search
		const frag = st.name.slice(3, 7);
		await go(page, '/', 'home');
		await page.getByLabel('企业名称或统一社会信用代码').fill(frag);
		await page.getByRole('button', { name: '查询' }).click();
		await page.waitForURL(/\/search\?q=/);
		const link = page.locator('ol.results a', { hasText: st.name });
		check(await link.count() === 1, `"${frag}": ${st.name} not listed`);
		const items = await page.locator('ol.results li').allInnerTexts();
		check(items.every(t => t.includes(frag)), `a result without "${frag}": ${items}`);
		check(await page.getByLabel('企业名称或统一社会信用代码').inputValue() === frag, 'query kept');
		await shot(page, '03-search-name');
	});

	await test('POR-1 search by the unified social credit code finds exactly that subject', async () => {
		// small letters, submitted with the Enter key
		await page.getByLabel('企业名称或统一社会信用代码').fill(st.code.toLowerCase());
		await Promise.all([page.waitForURL('**/search?q=' + st.code.toLowerCase()),
			page.keyboard.press('Enter')]);
		const items = await page.locator('ol.results li').allInnerTexts();
		check(items.length === 1 && items[0].includes(st.name) && items[0].includes(st.code),
			JSON.stringify(items));
		await shot(page, '04-search-code');
	});

	await test('POR-1 search for an unknown name says nothing was found', async () => {
		await go(page, '/search?q=' + encodeURIComponent('不存在的公司名称'), 'no results');
		check((await mainText(page)).includes('未找到'), await mainText(page));
		await shot(page, '05-search-none');
	});

	await test('POR-1 subject page: basic information and records grouped, with source unit and dates', async () => {
		await go(page, '/search?q=' + st.code, 'search');
		await page.locator('ol.results a', { hasText: st.name }).click();
		await page.waitForURL('**/subjects/' + st.code);
		await pageRules(page, await page.reload(), 'subject');
		check(await page.getByRole('heading', { level: 1 }).innerText() === st.name, 'h1');
		const h2 = await page.getByRole('heading', { level: 2 }).allInnerTexts();
		for (const g of ['基本信息', '行政许可', '行政处罚', '严重失信主体名单', '守信激励名单'])
			check(h2.includes(g), `group ${g} missing: ${h2}`);
		const text = await mainText(page);
		for (const w of [st.code, '统一社会信用代码', '来源单位', '决定日期', '公示截止'])
			check(text.includes(w), `missing ${w}`);
		check(!text.includes('异议处理中'), 'marked before any objection');
		check(await page.locator(`a[href="/records/${st.record}"]`).count() === 1, 'penalty link');
		const foot = await page.locator('footer').innerText();
		check(foot.includes('第 1 期变更'), foot);
		await shot(page, '06-subject-desktop');
		await go(ppage, '/subjects/' + st.code, 'subject (phone)');
		await noSideScroll(ppage, 'subject (phone)');
		await shot(ppage, '06-subject-phone');
	});

	await test('POR-1 record page shows the penalty, its fields in Chinese and the way back', async () => {
		await go(page, '/subjects/' + st.code, 'subject');
		await page.locator(`a[href="/records/${st.record}"]`).click();
		await page.waitForURL('**/records/' + st.record);
		await pageRules(page, await page.reload(), 'record');
		const h1 = await page.getByRole('heading', { level: 1 }).innerText();
		check(h1.startsWith('行政处罚：'), h1);
		const text = await mainText(page);
		for (const w of ['行政处罚决定书文号', '处罚机关', '来源单位', '公示截止', st.name])
			check(text.includes(w), `record page lacks ${w}`);
		check(await page.getByRole('link', { name: '返回主体信息' }).count() === 1, 'no way back');
		await shot(page, '07-record-desktop');
		await go(ppage, '/records/' + st.record, 'record (phone)');
		await noSideScroll(ppage, 'record (phone)');
		await shot(ppage, '07-record-phone');
	});

	await test('POR-3 objection form refuses a bad submission and says what is wrong at each field', async () => {
		await go(page, '/records/' + st.record, 'record');
		await page.getByRole('link', { name: '提出异议' }).click();
		await page.waitForURL(/\/objections\/new\?record=/);
		await pageRules(page, await page.reload(), 'objection form');
		check((await page.locator('a[href="/privacy"]').count()) >= 1, 'no link to the privacy notice');
		await shot(page, '08-objection-form');
		await page.getByLabel(/姓名或单位名称/).fill('测试');
		await page.getByLabel(/联系电话或电子邮箱/).fill('12345');
		await page.getByLabel(/异议理由/).fill('短');
		const [resp] = await Promise.all([page.waitForResponse(r => r.request().method() === 'POST'),
			page.getByRole('button', { name: '提交' }).click()]);
		check(resp.status() === 400, `refused form answered ${resp.status()}`);
		await page.waitForLoadState();
		const text = await mainText(page);
		for (const w of ['有效的手机号码', '理由不少于 5 个字'])
			check(text.includes(w), `no message "${w}": ${text}`);
		const invalid = await page.locator('[aria-invalid="true"]').evaluateAll(es => es.map(e => e.id));
		check(invalid.includes('contact') && invalid.includes('reason') && !invalid.includes('name'),
			'aria-invalid on ' + invalid);
		check(await page.getByLabel(/姓名或单位名称/).inputValue() === '测试', 'the name was lost');
		// each message is tied to its field for screen readers
		const said = await page.getByLabel(/联系电话或电子邮箱/).evaluate(e =>
			document.getElementById(e.getAttribute('aria-describedby') || '-')?.textContent || '');
		check(said.includes('有效的手机号码'), 'contact field not described by its message: ' + said);
		await shot(page, '09-objection-refused');
		await go(ppage, page.url().slice(BASE.length), 'objection form (phone)');
		await noSideScroll(ppage, 'objection form (phone)');
	});

	await test('POR-3 objection lodged: the ticket number and check code are shown once', async () => {
		await page.getByLabel(/姓名或单位名称/).fill(st.name);
		await page.getByLabel(/联系电话或电子邮箱/).fill('13907920001');
		await page.getByLabel(/异议理由/).fill('该处罚决定已被复议机关撤销，请予更正。');
		const [resp] = await Promise.all([page.waitForResponse(r => r.request().method() === 'POST'),
			page.getByRole('button', { name: '提交' }).click()]);
		check(resp.status() === 200, `lodging answered ${resp.status()}`);
		check(/no-store/.test(resp.headers()['cache-control'] || ''), 'ticket page may be cached');
		await page.waitForLoadState();
		const text = await mainText(page);
		check(text.includes('异议申诉已提交'), text);
		st.ticket = (await page.locator('#ticket').innerText()).trim();
		st.check = (await page.locator('#check').innerText()).trim();
		check(/^YY\d{14}$/.test(st.ticket) && st.check.length === 12, JSON.stringify(st));
		await shot(page, '10-objection-lodged');
	});

	await test('POR-4 ticket lookup with the check code: not yet received by the credit office', async () => {
		await go(page, '/tickets', 'tickets');
		await page.getByLabel('受理编号').fill(st.ticket);
		await page.getByLabel(/查询码/).fill(st.check);
		await page.getByRole('button', { name: '查询' }).click();
		await page.waitForURL(/\/tickets\?ticket=/);
		const text = await mainText(page);
		check(text.includes(st.ticket) && text.includes('尚待送达信用办'), text);
		await shot(page, '11-ticket-pending');
	});

	await test('POR-4 ticket lookup with a wrong check code answers as for an unknown ticket', async () => {
		await go(page, '/tickets', 'tickets');
		await page.getByLabel('受理编号').fill(st.ticket);
		await page.getByLabel(/查询码/).fill('A'.repeat(12));
		const [resp] = await Promise.all([page.waitForResponse(r => r.url().includes('/tickets?')),
			page.getByRole('button', { name: '查询' }).click()]);
		check(resp.status() === 404, `wrong code answered ${resp.status()}`);
		await page.waitForLoadState();
		const text = await mainText(page);
		check(text.includes('未找到该受理编号') && !text.includes('尚待送达') &&
			!text.includes('异议申诉'), text);
		await shot(page, '12-ticket-wrong-code');
	});

	await test('POR-4 privacy notice says what is collected and why', async () => {
		await go(page, '/privacy', 'privacy');
		const text = await mainText(page);
		for (const w of ['姓名', '联系电话', '理由', '查询码'])
			check(text.includes(w), `privacy notice lacks ${w}`);
		await shot(page, '13-privacy');
	});

	writeFileSync(STATE, JSON.stringify(st, null, 1) + '\n');
	await ctx.close();
	await phone.close();
}

async function after(browser) {
	const st = JSON.parse(readFileSync(STATE, 'utf8'));
	const ctx = await browser.newContext({ viewport: DESKTOP, javaScriptEnabled: false, locale: 'zh-CN' });
	const page = await ctx.newPage();

	await test('POR-3 after the next change set the record shows 异议处理中', async () => {
		await go(page, '/subjects/' + st.code, 'subject');
		const foot = await page.locator('footer').innerText();
		check(Number((foot.match(/第 (\d+) 期变更/) || [])[1]) >= 2, 'still change set 1: ' + foot);
		const card = page.locator('article.card', { has: page.locator(`a[href="/records/${st.record}"]`) });
		check((await card.innerText()).includes('异议处理中'), await card.innerText());
		check(((await mainText(page)).match(/异议处理中/g) || []).length === 1,
			'another record marked too');
		await shot(page, '14-subject-objection-mark');
		await go(page, '/records/' + st.record, 'record');
		check((await mainText(page)).includes('异议处理中'), await mainText(page));
		await shot(page, '15-record-objection-mark');
	});

	await test('POR-4 the ticket answers with the credit office\'s word: 信用办已收到', async () => {
		await go(page, '/tickets', 'tickets');
		await page.getByLabel('受理编号').fill(st.ticket);
		await page.getByLabel(/查询码/).fill(st.check);
		await page.getByRole('button', { name: '查询' }).click();
		await page.waitForURL(/\/tickets\?ticket=/);
		const text = await mainText(page);
		check(text.includes(st.ticket) && text.includes('信用办已收到') &&
			!text.includes('尚待送达信用办'), text);
		await shot(page, '16-ticket-received');
	});
	await ctx.close();
}

mkdirSync(OUT, { recursive: true });
let browser;
try {
	browser = await chromium.launch({ executablePath: CHROMIUM });
} catch (e) {
	console.log(`not ok ${n} - e2e: Chromium starts (${CHROMIUM})`);
	console.log('# ' + String(e.message).split('\n')[0]);
	process.exit(1);
}
try {
	if (phase === 'before')
		await before(browser);
	else if (phase === 'after')
		await after(browser);
	else
		throw new Error('usage: node portal.test.mjs before|after');
} finally {
	await browser.close();
}
process.exit(failed ? 1 : 0);
