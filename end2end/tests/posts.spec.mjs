// A social team's day: an editor drafts one post for three channels, sees
// X's counter turn red past 280, fixes it with a variant, schedules it and
// submits it; the approver sees the notification and approves; the calendar
// shows the post in the right cell in two time zones; dragging it to another
// day reschedules it.
import { test, expect } from '@playwright/test';
import { hydrated, inviteEditor, signInOwner } from './session.mjs';

const editor = { name: 'Kai Wong', email: 'kai@example.com', password: 'another long passphrase' };

// A 1×1 PNG: WeChat articles need a cover image.
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

function ymd(d) {
  return d.toISOString().slice(0, 10);
}

test('draft for three channels, fix X with a variant, submit, approve, calendar in two zones, drag to reschedule', async ({ browser }) => {
  const ownerCtx = await browser.newContext();
  const ownerPage = await ownerCtx.newPage();
  const ws = await signInOwner(ownerPage);

  // The owner invites an editor (through the API, with the owner's session).
  const { editorCtx, page } = await inviteEditor(browser, ownerPage, ws, editor);

  // Compose: the demo's WeChat, Facebook and X channels are all chosen.
  await page.goto(`/w/${ws}/compose`);
  await hydrated(page);
  const channels = await ownerPage.request.get(`/api/v1/channels?workspace=${ws}`);
  const list = await channels.json();
  const x = list.find((c) => c.platform === 'x');
  const wechat = list.find((c) => c.platform === 'wechat');
  expect(list.length).toBeGreaterThanOrEqual(3);
  // This day's post is for three channels: the demo's other channels sit it out.
  for (const c of list.filter((c) => !['wechat', 'facebook', 'x'].includes(c.platform))) {
    await page.getByTestId(`channel-toggle-${c.id}`).uncheck();
  }

  const long = '新茶上市！Our spring harvest oolong has arrived from the hills above the harbour. ' +
    'Every leaf is hand-picked and rolled by the same family that has farmed these slopes for four generations. ' +
    'Visit the shop this weekend for a free tasting of all six teas, and bring a friend: ' +
    'every visitor takes home a sample tin of the first flush.';
  await page.getByTestId('compose-text').fill(long);
  const xCounter = page.getByTestId(`counter-${x.id}`);
  await expect(xCounter).toHaveClass(/over/);
  await expect(page.getByTestId(`issues-${x.id}`)).toContainText('Too long');

  // WeChat needs a title and a cover image.
  await page.getByTestId('compose-title').fill('春茶上市');
  await page.getByTestId('media-input').setInputFiles({ name: 'cover.png', mimeType: 'image/png', buffer: png });
  await expect(page.getByTestId('media-item')).toHaveCount(1);
  await expect(page.getByTestId(`check-${wechat.id}`)).not.toContainText('cover image is required');

  // A variant for X fixes the length there only.
  await page.getByTestId(`variant-toggle-${x.id}`).click();
  await page.getByTestId(`variant-text-${x.id}`).fill('新茶上市！Spring oolong is here: free tastings this weekend.');
  await expect(xCounter).not.toHaveClass(/over/);

  // Tomorrow 10:00 in Shanghai: 02:00 UTC, 18:00 the day before in Los Angeles.
  const tomorrow = new Date(Date.now() + 2 * 24 * 3600 * 1000);
  const day = ymd(tomorrow);
  await page.getByTestId('schedule-mode').selectOption('at');
  await page.getByTestId('schedule-local').fill(`${day}T10:00`);
  await page.getByTestId('schedule-zone').fill('Asia/Shanghai');
  await page.getByTestId('compose-submit').click();
  await expect(page).toHaveURL(/\/posts\/\d+$/);
  const postId = Number(page.url().match(/\/posts\/(\d+)$/)[1]);
  await expect(page.getByTestId('post-state')).toHaveAttribute('data-state', 'in_review');

  // The approver (the owner) is told, opens the post from the notification and approves.
  await ownerPage.goto(`/w/${ws}/calendar`);
  await hydrated(ownerPage);
  await expect(ownerPage.getByTestId('notification-badge')).toHaveText('1');
  await ownerPage.getByTestId('notification-button').click();
  await ownerPage.getByTestId('notification-item').first().click();
  await expect(ownerPage).toHaveURL(new RegExp(`/posts/${postId}$`));
  await hydrated(ownerPage);
  await ownerPage.getByTestId('post-approve').click();
  await expect(ownerPage.getByTestId('post-state')).toHaveAttribute('data-state', 'scheduled');

  // The calendar puts it on the right day in each zone.
  await ownerPage.goto(`/w/${ws}/calendar?tz=Asia/Shanghai&date=${day}`);
  await hydrated(ownerPage);
  const entry = ownerPage.locator(`[data-testid=cal-entry][data-post="${postId}"]`);
  await expect(ownerPage.locator(`[data-date="${day}"]`).locator(`[data-post="${postId}"]`)).toBeVisible();
  await expect(entry.locator('.cal-time')).toHaveText('10:00');

  const before = ymd(new Date(tomorrow.getTime() - 24 * 3600 * 1000));
  await ownerPage.getByTestId('cal-zone').fill('America/Los_Angeles');
  await ownerPage.getByTestId('cal-zone').press('Enter');
  await ownerPage.getByTestId('cal-zone').blur();
  await expect(ownerPage.locator(`[data-date="${before}"]`).locator(`[data-post="${postId}"]`)).toBeVisible();
  await expect(entry.locator('.cal-time')).toHaveText('18:00');

  // Drag it two days later: the post moves, keeping its time of day.
  const later = ymd(new Date(tomorrow.getTime() + 24 * 3600 * 1000));
  await entry.dragTo(ownerPage.locator(`[data-date="${later}"]`));
  await expect(ownerPage.getByTestId('cal-notice')).toBeVisible();
  await expect(ownerPage.locator(`[data-date="${later}"]`).locator(`[data-post="${postId}"]`)).toBeVisible();
  const moved = await (await ownerPage.request.get(`/api/v1/posts/${postId}`)).json();
  expect(moved.schedule.local).toBe(`${ymd(new Date(tomorrow.getTime() + 2 * 24 * 3600 * 1000))}T10:00:00`);
  // Rescheduling an approved post needs approval again under the default policy.
  expect(moved.state).toBe('in_review');

  await ownerCtx.close();
  await editorCtx.close();
});
