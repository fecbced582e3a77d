/** Environment variable names whose values are secrets. */
export const SECRET_NAME = /((^|_)(API_?)?KEY(_|$)|APIKEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|COOKIE|PRIVATE)/i;

// Known key formats, so a secret is hidden even where it appears in free text.
const SECRET_VALUE = /\b(sk-ant-[A-Za-z0-9_-]{8,}|sk-[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{20,}|xox[abpr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16})\b/g;

/** Replaces known secret formats and the given secret values in a text. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(SECRET_VALUE, '[redacted]');
  // Longest first, so a secret that contains another is not left half shown.
  const sorted = [...secrets].sort((a, b) => b.length - a.length);
  for (const secret of sorted) if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  return out;
}

/** A copy of an environment with secret-looking values replaced. */
export function redactEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined) out[name] = SECRET_NAME.test(name) ? '[redacted]' : redactText(value);
  }
  return out;
}

/** A copy of a JSON-compatible value with secrets in its strings replaced. */
export function redactValue<T>(value: T, secrets: readonly string[] = []): T {
  const text = JSON.stringify(value);
  if (text === undefined) return value;
  const redacted = redactText(text, secrets);
  return redacted === text ? value : (JSON.parse(redacted) as T);
}
