// Money in sight: what an action costs and what is left, from the server's one rule
// (GET /api/quote, GET /api/balance; studio/pricing.py), with numbers grouped as people read them.

import { api } from "./api.js";

const GROUPED = new Intl.NumberFormat("en-US");

/** 1000000 -> "1,000,000"; anything not a number -> "–". */
export function formatNumber(value) {
  return typeof value === "number" && Number.isFinite(value) ? GROUPED.format(value) : "–";
}

export function credits(value) {
  return `${formatNumber(value)} credit${value === 1 ? "" : "s"}`;
}

/** The cost of ``count`` videos/images in ``mode`` on ``provider`` against the balance now. */
export function quote(provider, mode, count) {
  return api("/api/quote", { query: { provider, mode, count } });
}

/** The header chip's reading: {provider, label, paid, key, available, used, total, error}. */
export function balance(provider) {
  return api("/api/balance", { query: { provider } });
}

/** "4 credits · 996 left", "4 credits · only 2 available", or "" for a free provider. */
export function quoteText(q) {
  if (!q || !q.paid) return "";
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
