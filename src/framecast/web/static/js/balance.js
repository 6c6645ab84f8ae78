// The header's balance chip: the credits of the user's preferred paid provider, read with their own
// key (else the platform's); for a provider billed in dollars, only that it is (no balance exists). Refreshed every minute while the tab is visible, and whenever a job
// ends or a page says the balance may have changed. Hidden for a free provider.

import { $ } from "./dom.js";
import { balance, formatNumber } from "./money.js";

const REFRESH_MS = 60000;
const chip = $('[data-testid="balance-chip"]');
let reading = null;
let again = false; // asked for while a read was under way: read once more when it ends

async function refresh() {
  if (!chip) return;
  if (reading) {
    again = true;
    return;
  }
  reading = (async () => {
    try {
      const data = await balance(chip.dataset.provider || undefined);
      if (!data.paid) {
        chip.hidden = true;
        return;
      }
      chip.hidden = false;
      if (data.unit === "USD") {
        // Billed in dollars by the vendor, which has no balance to read: claim none.
        chip.dataset.state = "none";
        chip.title = `${data.label} bills your own account in US dollars; there is no balance to show. Each Generate shows an estimate.`;
        $('[data-testid="balance-label"]', chip).textContent = data.label;
        $('[data-testid="balance-value"]', chip).textContent = "billed in US dollars";
        chip.dataset.available = "";
        return;
      }
      chip.dataset.state = data.error ? "unknown" : data.available > 0 ? "ok" : "empty";
      chip.title = data.error
        ? `${data.label}: ${data.error}`
        : `${data.label}: ${formatNumber(data.available)} credits available (${data.key === "own" ? "your key" : "platform key"})`;
      $('[data-testid="balance-label"]', chip).textContent = data.label;
      $('[data-testid="balance-value"]', chip).textContent = data.error
        ? "balance unavailable"
        : `${formatNumber(data.available)} credits`;
      chip.dataset.available = data.error ? "" : String(data.available);
    } catch {
      // Logged out or the server is unreachable: the page says so elsewhere; keep the last reading.
    } finally {
      reading = null;
    }
  })();
  await reading;
  if (again) {
    again = false;
    await refresh();
  }
}

if (chip) {
  refresh();
  setInterval(() => {
    if (document.visibilityState === "visible") refresh();
  }, REFRESH_MS);
  window.addEventListener("framecast:job-ended", () => refresh());
  window.addEventListener("framecast:balance-changed", () => refresh());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refresh();
  });
}

window.framecastBalance = { refresh };
