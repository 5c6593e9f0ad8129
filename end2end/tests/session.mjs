// The workspace owner every spec signs in as, and waiting for hydration.
// The specs share one server and database, so the first to run sets it up.
import { expect } from '@playwright/test';

export const owner = { name: 'Mei Lin', email: 'mei@example.com', password: 'a long enough passphrase', workspace: 'Harbour Tea' };

// Hydration is done when the wasm bundle has attached; clicks before that
// would still work (the forms post without JavaScript) but we test the app.
export async function hydrated(page) {
  await page.waitForFunction(() => window.__TONGBU_HYDRATED === true);
}

// The owner, whether or not an earlier spec already set this instance up;
// returns the workspace id.
export async function signInOwner(page) {
  await page.goto('/');
  if (/\/setup$/.test(page.url())) {
    await hydrated(page);
    const form = page.getByTestId('setup-form');
    await form.locator('input[name=display_name]').fill(owner.name);
    await form.locator('input[name=email]').fill(owner.email);
    await form.locator('input[name=password]').fill(owner.password);
    await form.locator('input[name=workspace]').fill(owner.workspace);
    await form.getByRole('button').click();
  } else {
    await page.goto('/login');
    await hydrated(page);
    const login = page.getByTestId('login-form');
    await login.locator('input[name=email]').fill(owner.email);
    await login.locator('input[name=password]').fill(owner.password);
    await login.getByRole('button').click();
  }
  await expect(page).toHaveURL(/\/w\/\d+\/calendar$/);
  return Number(page.url().match(/\/w\/(\d+)\//)[1]);
}

// An editor the owner invites (through the API, with the owner's session),
// who accepts in a browser context of their own and lands in the workspace.
export async function inviteEditor(browser, ownerPage, ws, editor) {
  const invite = await ownerPage.request.post(`/api/v1/workspaces/${ws}/invitations`, {
    data: { email: editor.email, role: 'editor' },
  });
  expect(invite.status()).toBe(201);
  const { accept_path } = await invite.json();
  const editorCtx = await browser.newContext();
  const page = await editorCtx.newPage();
  await page.goto(accept_path);
  await hydrated(page);
  await page.locator('input[name=display_name]').fill(editor.name);
  await page.locator('input[name=password]').fill(editor.password);
  await page.locator('form:has(input[name=password])').getByRole('button').click();
  await expect(page).toHaveURL(/\/w\/\d+\/calendar$/);
  return { editorCtx, page };
}
