// The one way pages talk to the API: JSON in, JSON out, and problem+json turned into a readable message.

export class ApiError extends Error {
  constructor(message, status, errors) {
    super(message);
    this.status = status;
    this.errors = errors || {};
  }
}

const SESSION = "oc-session";

export const session = {
  get: () => { try { return localStorage.getItem(SESSION); } catch { return null; } },
  set: (token) => localStorage.setItem(SESSION, token),
  clear: () => localStorage.removeItem(SESSION),
};

export async function api(method, path, body, { idempotencyKey, auth = true } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const token = auth ? session.get() : null;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError("The server could not be reached. Check your connection and try again.", 0);
  }
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!response.ok) {
    const message = (json && (json.error || json.detail)) || `The server answered ${response.status}.`;
    if (response.status === 401 && token) session.clear();
    throw new ApiError(message, response.status, json && json.errors);
  }
  return json;
}

export const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`).replace(/-/g, "") + "-oc";

/** Shows an error (or clears it) in a page's live region. */
export function showError(element, error) {
  element.textContent = error ? error.message || String(error) : "";
  element.hidden = !error;
}
