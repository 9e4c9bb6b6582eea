/**
 * A contact's name as a person reads it, from the attributes contact search looks in
 * (migrations/000040.sql): `name`, else `first_name last_name`, else `firstName lastName`.
 */
export function contactName(attributes: Record<string, unknown>): string | null {
  const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '');
  const whole = text(attributes.name);
  if (whole) return whole;
  for (const [first, last] of [
    ['first_name', 'last_name'],
    ['firstName', 'lastName'],
  ] as const) {
    const joined = [text(attributes[first]), text(attributes[last])].filter(Boolean).join(' ');
    if (joined) return joined;
  }
  return null;
}

/** What heads a contact: the name, else the email, the phone, the user id, the id. */
export function contactTitle(c: { id: string; email: string | null; phone: string | null; userId: string | null; attributes: Record<string, unknown> }): string {
  return contactName(c.attributes) ?? c.email ?? c.phone ?? c.userId ?? c.id;
}
