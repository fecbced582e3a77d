// The login form: the only thing shown without a valid session cookie. The server answers the POST with a
// redirect to `/` (or to `/?login=failed`).
import { html } from 'htm/preact';

export function LoginView() {
  const failed = new URLSearchParams(location.search).get('login') === 'failed';
  return html`
    <main class="login">
      <h1>vp-daemon</h1>
      <form method="post" action="/login" class="card login-form">
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required autofocus />
        ${failed ? html`<p class="error" role="alert">That token was not accepted.</p>` : null}
        <button type="submit">Log in</button>
      </form>
    </main>
  `;
}
