// Money in sight: what an action costs and what is left, from the server's one rule
// (GET /api/quote, GET /api/balance; studio/pricing.py), with numbers grouped as people read them.

import { api } from "./api.js";

const GROUPED = new Intl.NumberFormat("en-US");
const DOLLARS = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });

/** 1000000 -> "1,000,000"; anything not a number -> "–". */
export function formatNumber(value) {
  return typeof value === "number" && Number.isFinite(value) ? GROUPED.format(value) : "–";
}

export function credits(value) {
  return `${formatNumber(value)} credit${value === 1 ? "" : "s"}`;
}

/** 3.2 -> "$3.20". */
export function formatDollars(value) {
  return typeof value === "number" && Number.isFinite(value) ? DOLLARS.format(value) : "–";
}

/**
 * The cost of ``count`` videos/images in ``mode`` on ``provider`` against the balance now; for a
 * provider billed in dollars, an estimate for videos of ``duration`` seconds at ``resolution`` (its
 * defaults if none).
 */
export function quote(provider, mode, count, duration, resolution) {
  return api("/api/quote", { query: { provider, mode, count, duration, resolution } });
}

/** The header chip's reading: {provider, label, paid, key, available, used, total, error}. */
export function balance(provider) {
  return api("/api/balance", { query: { provider } });
}

/**
 * "4 credits · 996 left", "4 credits · only 2 available", "about $3.20 (estimate, price table of
 * 2026-12-03)" for a provider billed in dollars (no balance: it has none to read), or "" for a free
 * provider.
 */
export function quoteText(q) {
  if (!q || !q.paid) return "";
  if (q.unit === "USD") {
    if (q.estimate === null || q.estimate === undefined) {
      return `billed by ${q.label} in US dollars · no estimate for this model`;
    }
    const table = q.price_date ? `price table of ${q.price_date}` : "price table";
    return `about ${formatDollars(q.estimate)} (estimate, ${table})`;
  }
  if (q.available === null || q.available === undefined) {
    return `${credits(q.credits)} · balance unknown`;
  }
  if (q.enough === false) return `${credits(q.credits)} · only ${formatNumber(q.available)} available`;
  return `${credits(q.credits)} · ${formatNumber(q.left)} left`;
}

/** Tell the header chip (and anything else listening) that the balance may have changed. */
export function balanceMayHaveChanged() {
  window.dispatchEvent(new CustomEvent("framecast:balance-changed"));
}
