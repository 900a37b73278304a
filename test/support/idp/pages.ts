// HTML for every page a person sees at the IdP. Everything is inline (no fonts, CSS or scripts
// from elsewhere) so tests never reach the network, and every dynamic value is escaped.

export function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:sans-serif;max-width:22rem;margin:3rem auto}
label,input,button{display:block;width:100%;box-sizing:border-box;margin:.3rem 0}
.error{color:#b00020}
</style>
</head>
<body>
${body}
</body>
</html>`;
}

export interface LoginPageOptions {
  action: string;
  clientName: string;
  email?: string;
  error?: string;
}

export function loginPage({ action, clientName, email = '', error }: LoginPageOptions): string {
  const alert = error
    ? `<p id="login-error" class="error" role="alert">${escapeHtml(error)}</p>`
    : '';
  return layout(
    'Sign in',
    `<h1>Sign in</h1>
<p>to continue to <strong>${escapeHtml(clientName)}</strong></p>
${alert}
<form id="login-form" method="post" action="${escapeHtml(action)}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" value="${escapeHtml(email)}" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button id="sign-in" type="submit" name="action" value="sign-in">Sign in</button>
<button id="cancel" type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
</form>`,
  );
}

/** `form` is oidc-provider's own form markup (already escaped by it); the buttons refer to it by id. */
export function deviceCodeInputPage(form: string, message?: string): string {
  const text = message
    ? `<p id="device-message" class="error" role="alert">${escapeHtml(message)}</p>`
    : '<p id="device-message">Enter the code displayed on your device.</p>';
  return layout(
    'Device sign-in',
    `<h1>Device sign-in</h1>
${text}
${form}
<button id="device-continue" type="submit" form="op.deviceInputForm">Continue</button>`,
  );
}

export function deviceConfirmPage(form: string, clientName: string, userCode: string): string {
  return layout(
    'Confirm device',
    `<h1>Confirm device</h1>
<p><strong>${escapeHtml(clientName)}</strong> wants to sign in. Check that your device shows this code:</p>
<p><code id="device-user-code">${escapeHtml(userCode)}</code></p>
${form}
<button id="device-confirm" type="submit" form="op.deviceConfirmForm">Continue</button>
<button id="device-abort" type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Abort</button>`,
  );
}

export function deviceSuccessPage(clientName: string): string {
  return layout(
    'Sign-in success',
    `<h1 id="device-success">Sign-in success</h1>
<p>You are signed in to ${escapeHtml(clientName)}. You can close this page.</p>`,
  );
}

export function errorPage(fields: Record<string, unknown>): string {
  const rows = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join('\n');
  return layout(
    'Sign-in error',
    `<h1 id="idp-error">Something went wrong</h1>
<dl>
${rows}
</dl>`,
  );
}
