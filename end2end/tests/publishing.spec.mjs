// A post goes out: an editor writes for the demo X channel "as soon as
// approved", the owner approves, the built-in scheduler publishes it to the
// platform emulator, and the post page's delivery timeline shows the one
// attempt that published it; the channel's recent deliveries list it too.
import { test, expect } from '@playwright/test';
import { hydrated, inviteEditor, signInOwner } from './session.mjs';

// Not the editor of posts.spec.mjs: the specs share one database.
const editor = { name: 'Night Desk', email: 'night.desk@example.com', password: 'a third long passphrase' };

test('approved for X as soon as approved, published by the scheduler, seen on the delivery timeline', async ({ browser }) => {
  // Publishing waits for the scheduler's next round: allow for a slow machine.
  test.setTimeout(120_000);
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
  await page.getByTestId('compose-text').fill('Tasting day: six teas, one table. Come by the shop from ten.');
  await page.getByTestId('schedule-mode').selectOption('when_approved');
  await page.getByTestId('compose-submit').click();
  await expect(page).toHaveURL(/\/posts\/\d+$/);
  const postId = Number(page.url().match(/\/posts\/(\d+)$/)[1]);
  await expect(page.getByTestId('post-state')).toHaveAttribute('data-state', 'in_review');

  // The owner approves: due at once.
  await ownerPage.goto(`/w/${ws}/posts/${postId}`);
  await hydrated(ownerPage);
  await ownerPage.getByTestId('post-approve').click();
  await expect(ownerPage.getByTestId('post-state')).not.toHaveAttribute('data-state', 'in_review');

  // The scheduler runs inside the server: reload until it has published.
  await expect(async () => {
    await ownerPage.reload();
    await expect(ownerPage.getByTestId('post-state')).toHaveAttribute('data-state', 'published', { timeout: 2_000 });
  }).toPass({ timeout: 90_000, intervals: [1_000, 2_000, 3_000] });

  const timeline = ownerPage.getByTestId('delivery-timeline');
  await expect(timeline).toBeVisible();
  const row = timeline.locator(`[data-testid=timeline-channel][data-channel-id="${x.id}"]`);
  await expect(row).toHaveAttribute('data-state', 'published');
  const attempts = row.getByTestId('attempt');
  await expect(attempts).toHaveCount(1);
  await expect(attempts.first()).toHaveAttribute('data-outcome', 'published');
  await expect(attempts.first().getByTestId('attempt-outcome')).toHaveText('Published');
  await expect(attempts.first()).toContainText('Attempt 1');
  // Nothing to decide on a published channel.
  await expect(timeline.getByTestId('resolve-panel')).toHaveCount(0);

  // The channel's recent deliveries list the attempt, linked to the post.
  await ownerPage.goto(`/w/${ws}/channels`);
  await hydrated(ownerPage);
  const recent = ownerPage.locator(`[data-testid=channel-recent][data-channel-id="${x.id}"]`);
  await recent.locator('summary').click();
  const link = recent.getByTestId('attempt-post').filter({ hasText: `#${postId}` });
  await expect(link).toBeVisible();
  await expect(link).toHaveAttribute('href', `/w/${ws}/posts/${postId}`);

  await ownerCtx.close();
  await editorCtx.close();
});
