// First run, as a new owner meets Tongbu: set-up, sign-in, the language
// switch to Chinese and back, sign-out.
import { test, expect } from '@playwright/test';
import { owner, hydrated } from './session.mjs';

test('first-run setup, sign-in, language switch and sign-out', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/setup$/);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Welcome to Tongbu' })).toBeVisible();

  const form = page.getByTestId('setup-form');
  await form.locator('input[name=display_name]').fill(owner.name);
  await form.locator('input[name=email]').fill(owner.email);
  await form.locator('input[name=password]').fill('too short');
  await form.locator('input[name=workspace]').fill(owner.workspace);
  // The browser's own check (minlength) is bypassed to see the server's answer.
  await form.evaluate((f) => f.setAttribute('novalidate', ''));
  await form.getByRole('button').click();
  await expect(page.getByRole('alert')).toContainText('at least 10 characters');

  await form.locator('input[name=password]').fill(owner.password);
  await form.getByRole('button').click();
  await expect(page).toHaveURL(/\/w\/\d+\/calendar$/);
  await expect(page.getByTestId('current-workspace')).toHaveText(owner.workspace);

  // Sign out, then sign in again.
  await hydrated(page);
  await page.getByTestId('sign-out').click();
  await expect(page).toHaveURL(/\/login\?signed_out=1$/);
  await expect(page.getByTestId('signed-out')).toBeVisible();
  await hydrated(page);
  const login = page.getByTestId('login-form');
  await login.locator('input[name=email]').fill(owner.email);
  await login.locator('input[name=password]').fill('not the password');
  await login.getByRole('button').click();
  await expect(page.getByRole('alert')).toHaveText('The email or password is wrong.');
  await login.locator('input[name=password]').fill(owner.password);
  await login.getByRole('button').click();
  await expect(page).toHaveURL(/\/w\/\d+\/calendar$/);
  await hydrated(page);

  // Switch to Simplified Chinese: the interface changes in place...
  await page.locator('button[data-locale="zh-Hans"]').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-Hans');
  await expect(page.locator('[data-nav=calendar]')).toContainText('日历');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('日历');
  // ...and the choice is remembered by the server across a reload.
  await page.reload();
  await expect(page.locator('[data-nav=settings]')).toContainText('设置');
  await hydrated(page);
  // Navigating inside the app keeps the language.
  await page.locator('[data-nav=settings]').click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('设置');

  // And back to English.
  await page.locator('button[data-locale="en"]').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Settings');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Settings');

  await hydrated(page);
  await page.getByTestId('sign-out').click();
  await expect(page).toHaveURL(/\/login\?signed_out=1$/);
  // Signed out means signed out: the dashboard sends us back to sign-in.
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
});
