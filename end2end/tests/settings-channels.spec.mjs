// An admin connects channels: an X account through X's consent page (here
// the built-in emulator's), and a WeChat Official Account with its AppID and
// AppSecret; both show as connected with their account and health.
import { test, expect } from '@playwright/test';
import { hydrated, signInOwner } from './session.mjs';

async function addChannel(page, platform, name) {
  const form = page.getByTestId('channel-form');
  await form.locator('select[name=platform]').selectOption(platform);
  await form.locator('input[name=name]').fill(name);
  await form.getByTestId('channel-emulated-input').check();
  await form.getByRole('button', { name: /add channel/i }).click();
  const row = page.getByTestId('channel-row').filter({ hasText: name });
  await expect(row).toBeVisible();
  await expect(row.getByTestId('channel-status')).toHaveAttribute('data-status', 'not_connected');
  return row;
}

test('connect X through its consent page and WeChat with its app credentials', async ({ page }) => {
  const ws = await signInOwner(page);
  await page.goto(`/w/${ws}/channels`);
  await hydrated(page);

  // X: off to the consent page on the platform's own site, and back.
  const xRow = await addChannel(page, 'x', 'Harbour Tea on X');
  const appOrigin = new URL(page.url()).origin;
  await xRow.getByTestId('channel-connect').click();
  await expect(page.locator('#allow')).toBeVisible();
  expect(new URL(page.url()).origin).not.toBe(appOrigin);
  await expect(page.locator('#scopes')).toContainText('tweet.write');
  await page.locator('#allow').click();
  await expect(page).toHaveURL(new RegExp(`/w/${ws}/channels\\?connected=1$`));
  await hydrated(page);
  await expect(page.getByTestId('connect-ok')).toBeVisible();
  const connectedX = page.getByTestId('channel-row').filter({ hasText: 'Harbour Tea on X' });
  await expect(connectedX.getByTestId('channel-status')).toHaveAttribute('data-status', 'connected');
  await expect(connectedX.getByTestId('channel-account')).toContainText('Tongbu Demo');

  // Checking the channel asks the platform again and records the success.
  await connectedX.getByTestId('channel-check').click();
  await expect(connectedX.getByTestId('channel-account')).toContainText(/Last worked|最近成功/);

  // WeChat: a wrong secret is refused with the platform's reason.
  const wxRow = await addChannel(page, 'wechat', 'Harbour Tea 公众号 2');
  await wxRow.getByTestId('channel-connect').click();
  const wxForm = page.getByTestId('wechat-connect-form');
  await expect(wxForm).toContainText(/whitelist|白名单/);
  await wxForm.locator('input[name=app_id]').fill('wx00000000000demo1');
  await wxForm.locator('input[name=app_secret]').fill('not the secret');
  await wxForm.getByRole('button', { name: /^connect$/i }).click();
  await expect(wxForm.locator('[role=alert]')).toBeVisible();
  await wxForm.locator('input[name=app_secret]').fill('emulated-wechat-secret-1');
  await wxForm.getByRole('button', { name: /^connect$/i }).click();
  const connectedWx = page.getByTestId('channel-row').filter({ hasText: 'Harbour Tea 公众号 2' });
  await expect(connectedWx.getByTestId('channel-status')).toHaveAttribute('data-status', 'connected');
  // The secret is not on the page.
  await expect(page.locator('body')).not.toContainText('emulated-wechat-secret-1');
});

test('connect Bluesky with its handle and an app password, never the account password', async ({ page }) => {
  const ws = await signInOwner(page);
  await page.goto(`/w/${ws}/channels`);
  await hydrated(page);
  const row = await addChannel(page, 'bluesky', 'Harbour Tea on Bluesky 2');
  await row.getByTestId('channel-connect').click();
  const form = page.getByTestId('bluesky-connect-form');
  await expect(form).toContainText(/App passwords|应用密码/);
  await form.locator('input[name=identifier]').fill('@tongbu-demo.bsky.social');
  // The account's own password is refused before it leaves the server.
  await form.locator('input[name=app_password]').fill('my account password');
  await form.getByRole('button', { name: /^connect$/i }).click();
  await expect(form.locator('[role=alert]')).toContainText(/app password/i);
  await form.locator('input[name=app_password]').fill('emul-ated-blue-sky1');
  await form.getByRole('button', { name: /^connect$/i }).click();
  const connected = page.getByTestId('channel-row').filter({ hasText: 'Harbour Tea on Bluesky 2' });
  await expect(connected.getByTestId('channel-status')).toHaveAttribute('data-status', 'connected');
  await expect(connected.getByTestId('channel-account')).toContainText('@tongbu-demo.bsky.social');
  await expect(page.locator('body')).not.toContainText('emul-ated-blue-sky1');
});

test('connect Mastodon: the server registers Tongbu as an app, then its consent page', async ({ page }) => {
  const ws = await signInOwner(page);
  await page.goto(`/w/${ws}/channels`);
  await hydrated(page);
  const row = await addChannel(page, 'mastodon', 'Harbour Tea on Mastodon 2');
  await row.getByTestId('channel-connect').click();
  const form = page.getByTestId('mastodon-connect-form');
  await form.locator('select[name=visibility]').selectOption('unlisted');
  await form.locator('input[name=spoiler_text]').fill('Tea talk');
  const appOrigin = new URL(page.url()).origin;
  await form.getByRole('button', { name: /^connect$/i }).click();
  await expect(page.locator('#allow')).toBeVisible();
  expect(new URL(page.url()).origin).not.toBe(appOrigin);
  await page.locator('#allow').click();
  await expect(page).toHaveURL(new RegExp(`/w/${ws}/channels\\?connected=1$`));
  await hydrated(page);
  const connected = page.getByTestId('channel-row').filter({ hasText: 'Harbour Tea on Mastodon 2' });
  await expect(connected.getByTestId('channel-status')).toHaveAttribute('data-status', 'connected');
  await expect(connected.getByTestId('channel-account')).toContainText('@tongbu_demo@');
});

test('connect LinkedIn: its consent page, then the organization page to publish to', async ({ page }) => {
  const ws = await signInOwner(page);
  await page.goto(`/w/${ws}/channels`);
  await hydrated(page);
  const row = await addChannel(page, 'linkedin', 'Harbour Tea Careers on LinkedIn');
  const appOrigin = new URL(page.url()).origin;
  await row.getByTestId('channel-connect').click();
  await expect(page.locator('#allow')).toBeVisible();
  expect(new URL(page.url()).origin).not.toBe(appOrigin);
  await expect(page.locator('#scopes')).toContainText('w_organization_social');
  await page.locator('#allow').click();
  // The member administers two pages: Tongbu asks which one.
  await expect(page.getByRole('button', { name: 'Harbour Tea Careers' })).toBeVisible();
  await page.getByRole('button', { name: 'Harbour Tea Careers' }).click();
  await expect(page).toHaveURL(new RegExp(`/w/${ws}/channels\\?connected=1$`));
  await hydrated(page);
  const connected = page.getByTestId('channel-row').filter({ hasText: 'Harbour Tea Careers on LinkedIn' });
  await expect(connected.getByTestId('channel-status')).toHaveAttribute('data-status', 'connected');
  await expect(connected.getByTestId('channel-account')).toContainText('Harbour Tea Careers');
  await expect(connected.getByTestId('channel-account')).toContainText(/valid until|有效期/);
});
