// A post's reach, from publishing to the report: an editor writes for the
// demo X channel, the owner approves, the scheduler publishes it to the
// platform emulator and the collector takes its first snapshot (the demo
// emulator ages posts 60× faster, so within about a minute). The post page
// shows its reach; the reports page shows the table and the growth chart;
// grouped by post, the table lists the post; its CSV export holds exactly
// the table's rows.
import { test, expect } from '@playwright/test';
import { hydrated, inviteEditor, signInOwner } from './session.mjs';
import { readFile } from 'node:fs/promises';

// Its own editor: the specs share one database.
const editor = { name: 'Reach Desk', email: 'reach.desk@example.com', password: 'a fourth long passphrase' };

// RFC 4180: quoted cells may hold commas, quotes ("") and line breaks.
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else if (c !== '\r') {
      cell += c;
    }
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

// What the table says, from the data attributes the page writes beside
// each figure (an absent figure has an empty value, as in the CSV).
async function tableRows(page) {
  const table = page.getByTestId('report-table');
  const read = (rows) =>
    rows.map((r) => ({
      key: r.dataset.key ?? '',
      name: r.dataset.name ?? '',
      posts: r.querySelector('[data-col=posts]').textContent.trim(),
      deliveries: r.querySelector('[data-col=deliveries]').textContent.trim(),
      views: r.querySelector('[data-metric=views]').dataset.value,
      reactions: r.querySelector('[data-metric=reactions]').dataset.value,
    }));
  return {
    rows: await table.getByTestId('report-row').evaluateAll(read),
    total: (await table.getByTestId('report-total').evaluateAll(read))[0],
  };
}

test('a published post reaches the report, grouped by post, and its CSV equals the table', async ({ browser }) => {
  // Publishing waits for the scheduler, the first snapshot for the collector.
  test.setTimeout(300_000);
  const ownerCtx = await browser.newContext();
  const ownerPage = await ownerCtx.newPage();
  const ws = await signInOwner(ownerPage);

  // Under the default policy an author cannot approve their own post, so an
  // editor writes it.
  const { editorCtx, page } = await inviteEditor(browser, ownerPage, ws, editor);

  // Only the demo X channel, connected to the built-in emulator.
  const channels = await (await ownerPage.request.get(`/api/v1/channels?workspace=${ws}`)).json();
  const x = channels.find((c) => c.platform === 'x');
  expect(x).toBeTruthy();
  await page.goto(`/w/${ws}/compose`);
  await hydrated(page);
  for (const c of channels) {
    const toggle = page.getByTestId(`channel-toggle-${c.id}`);
    if (c.id === x.id) await toggle.check();
    else await toggle.uncheck();
  }
  // Short enough to be the report's whole post title (it shows an excerpt).
  const text = `Reach check ${Date.now()}: oolong notes for the weekend.`;
  await page.getByTestId('compose-text').fill(text);
  await page.getByTestId('schedule-mode').selectOption('when_approved');
  await page.getByTestId('compose-submit').click();
  await expect(page).toHaveURL(/\/posts\/\d+$/);
  const postId = Number(page.url().match(/\/posts\/(\d+)$/)[1]);
  await editorCtx.close();

  // The owner approves: due at once, published by the scheduler.
  await ownerPage.goto(`/w/${ws}/posts/${postId}`);
  await hydrated(ownerPage);
  await ownerPage.getByTestId('post-approve').click();
  await expect(ownerPage.getByTestId('post-state')).not.toHaveAttribute('data-state', 'in_review');
  await expect(async () => {
    await ownerPage.reload();
    await expect(ownerPage.getByTestId('post-state')).toHaveAttribute('data-state', 'published', { timeout: 2_000 });
  }).toPass({ timeout: 90_000, intervals: [1_000, 2_000, 3_000] });

  // The first snapshot: the post's metrics say when it was collected.
  let metrics;
  await expect(async () => {
    const res = await ownerPage.request.get(`/api/v1/posts/${postId}/metrics`);
    expect(res.status()).toBe(200);
    metrics = await res.json();
    expect(metrics.channels.length).toBe(1);
    expect(metrics.channels[0].collected_at).toBeTruthy();
  }).toPass({ timeout: 120_000, intervals: [2_000, 3_000, 5_000] });
  const latestViews = metrics.channels[0].latest.views;

  // The post page shows its reach on the one channel.
  await ownerPage.reload();
  await hydrated(ownerPage);
  const reach = ownerPage.getByTestId('post-reach');
  await expect(reach).toBeVisible();
  await expect(reach.getByTestId('reach-channel')).toHaveCount(1);
  await expect(reach.getByTestId('post-reach-chart')).toBeVisible();

  // The report (last 30 days in the browser's zone): table and growth chart.
  const reports = ownerPage;
  await expect(async () => {
    await reports.goto(`/w/${ws}/reports`);
    await expect(reports.getByTestId('report-table')).toBeVisible({ timeout: 5_000 });
    await expect(reports.getByTestId('growth-chart')).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 90_000, intervals: [2_000, 3_000, 5_000] });
  await hydrated(reports);
  await expect(reports.getByTestId('growth-chart')).toBeVisible();
  const deliveries = Number(await reports.getByTestId('report-total').locator('[data-col=deliveries]').textContent());
  expect(deliveries).toBeGreaterThanOrEqual(1);
  await expect(reports.getByTestId('platform-chart')).toBeVisible();
  await expect(reports.getByTestId('report-cards')).toBeVisible();

  // Grouped by post, in the URL too, so the report can be linked.
  await reports.getByTestId('group-post').click();
  await expect(reports).toHaveURL(/[?&]group_by=post(&|$)/);
  const table = reports.getByTestId('report-table');
  await expect(table).toHaveAttribute('data-group', 'post');
  const row = table.locator(`[data-testid=report-row][data-key="${postId}"]`);
  await expect(row).toBeVisible();
  await expect(row).toContainText(text);
  await expect(row.locator('[data-metric=views]')).toHaveAttribute('data-value', latestViews == null ? '' : String(latestViews));
  await expect(row.getByTestId('report-post-link')).toHaveAttribute('href', `/w/${ws}/posts/${postId}`);

  // The CSV of this very report: same rows, same order, same figures.
  const link = reports.getByTestId('export-csv');
  await expect(link).toHaveAttribute('href', new RegExp(`[?&]workspace=${ws}(&|$)`));
  await expect(link).toHaveAttribute('href', /[?&]group_by=post(&|$)/);
  const onScreen = await tableRows(reports);
  const downloading = reports.waitForEvent('download');
  await link.click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^tongbu-reach-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}-by-post\.csv$/);
  const csv = parseCsv(await readFile(await download.path(), 'utf8'));
  const [header, ...lines] = csv;
  expect(header).toEqual([
    'group', 'key', 'name', 'platform', 'posts', 'deliveries',
    'views', 'reach', 'reactions', 'comments', 'shares', 'link_clicks', 'saves',
  ]);
  const col = (name) => header.indexOf(name);
  const dataRows = lines.filter((l) => l[0] === 'post');
  const totalRows = lines.filter((l) => l[0] === 'total');
  expect(lines.length).toBe(dataRows.length + 1);
  expect(totalRows.length).toBe(1);
  expect(lines[lines.length - 1][0]).toBe('total');
  expect(dataRows.length).toBe(onScreen.rows.length);
  expect(dataRows.map((l) => l[col('key')])).toEqual(onScreen.rows.map((r) => r.key));
  expect(dataRows.map((l) => l[col('name')])).toEqual(onScreen.rows.map((r) => r.name));
  expect(dataRows.map((l) => l[col('views')])).toEqual(onScreen.rows.map((r) => r.views));
  expect(dataRows.map((l) => l[col('reactions')])).toEqual(onScreen.rows.map((r) => r.reactions));
  expect(dataRows.map((l) => l[col('posts')])).toEqual(onScreen.rows.map((r) => r.posts));
  expect(dataRows.map((l) => l[col('deliveries')])).toEqual(onScreen.rows.map((r) => r.deliveries));
  const total = totalRows[0];
  expect(total[col('views')]).toBe(onScreen.total.views);
  expect(total[col('deliveries')]).toBe(onScreen.total.deliveries);
  expect(dataRows.some((l) => l[col('key')] === String(postId))).toBe(true);

  await ownerCtx.close();
});
