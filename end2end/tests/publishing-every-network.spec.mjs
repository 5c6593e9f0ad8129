// One post, every network: an editor writes one post with a title and a
// cover for all six demo channels (WeChat, Facebook, X, Bluesky, Mastodon,
// LinkedIn), the owner approves it, the scheduler publishes it everywhere,
// the delivery timeline shows one published attempt per channel, and the
// Reach panel shows the first Bluesky and Mastodon figures.
import { test, expect } from '@playwright/test';
import { hydrated, inviteEditor, signInOwner } from './session.mjs';

// Its own editor: the specs share one database.
const editor = { name: 'Every Desk', email: 'every.desk@example.com', password: 'a sixth long passphrase' };
const NETWORKS = ['wechat', 'facebook', 'x', 'bluesky', 'mastodon', 'linkedin'];

// A 1×1 PNG, the post's cover.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6300010000050001' +
    '0d0a2db40000000049454e44ae426082',
  'hex',
);

test('one post with a cover reaches all six networks once, and Bluesky and Mastodon report their first figures', async ({ browser }) => {
  // Publishing waits for the scheduler, the first snapshot for the collector.
  test.setTimeout(300_000);
  const ownerCtx = await browser.newContext();
  const ownerPage = await ownerCtx.newPage();
  const ws = await signInOwner(ownerPage);

  const { editorCtx, page } = await inviteEditor(browser, ownerPage, ws, editor);

  // The first demo channel of each network.
  const channels = await (await ownerPage.request.get(`/api/v1/channels?workspace=${ws}`)).json();
  const chosen = NETWORKS.map((p) => channels.find((c) => c.platform === p));
  for (const [i, c] of chosen.entries()) expect(c, NETWORKS[i]).toBeTruthy();
  const ids = new Set(chosen.map((c) => c.id));

  await page.goto(`/w/${ws}/compose`);
  await hydrated(page);
  for (const c of channels) {
    const toggle = page.getByTestId(`channel-toggle-${c.id}`);
    if (ids.has(c.id)) await toggle.check();
    else await toggle.uncheck();
  }
  await page.getByTestId('compose-text').fill(`Spring oolong is in (first flush) #tea 春茶上市 ${Date.now()}`);
  await page.getByTestId('compose-title').fill('春茶上市 Spring oolong');
  await page.getByTestId('media-input').setInputFiles({ name: 'cover.png', mimeType: 'image/png', buffer: PNG });
  await expect(page.getByTestId('media-item')).toHaveCount(1);
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
  }).toPass({ timeout: 120_000, intervals: [1_000, 2_000, 3_000] });

  // Six channels, each published by one attempt.
  const timeline = ownerPage.getByTestId('delivery-timeline');
  await expect(timeline.getByTestId('timeline-channel')).toHaveCount(6);
  for (const c of chosen) {
    const row = timeline.locator(`[data-testid=timeline-channel][data-channel-id="${c.id}"]`);
    await expect(row, c.platform).toHaveAttribute('data-state', 'published');
    const attempts = row.getByTestId('attempt');
    await expect(attempts, c.platform).toHaveCount(1);
    await expect(attempts.first()).toHaveAttribute('data-outcome', 'published');
  }

  // The first snapshots, then the Reach panel shows Bluesky's and
  // Mastodon's figures (likes and favourites as reactions).
  const bluesky = chosen[3];
  const mastodon = chosen[4];
  await expect(async () => {
    const res = await ownerPage.request.get(`/api/v1/posts/${postId}/metrics`);
    expect(res.status()).toBe(200);
    const metrics = await res.json();
    for (const c of [bluesky, mastodon]) {
      const m = metrics.channels.find((x) => x.channel_id === c.id);
      expect(m && m.collected_at, c.platform).toBeTruthy();
    }
  }).toPass({ timeout: 150_000, intervals: [2_000, 3_000, 5_000] });
  await ownerPage.reload();
  await hydrated(ownerPage);
  const reach = ownerPage.getByTestId('post-reach');
  await expect(reach).toBeVisible();
  for (const c of [bluesky, mastodon]) {
    const row = reach.locator(`[data-testid=reach-channel][data-channel-id="${c.id}"]`);
    await expect(row, c.platform).toBeVisible();
    await expect(row.locator('[data-metric=reactions]'), c.platform).toHaveAttribute('data-value', /^\d+$/);
  }

  await ownerCtx.close();
});
