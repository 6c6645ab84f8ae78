// Previous / next paging over an API that answers {items, total} for limit and offset.

import { $ } from "./dom.js";

/** Wire the pager buttons under ``root``; ``onPage(offset)`` loads a page. Returns {update(total)}. */
export function pager(root, pageSize, onPage) {
  const prev = $('[data-testid="prev-page"]', root);
  const next = $('[data-testid="next-page"]', root);
  const label = $('[data-testid="page-label"]', root);
  const state = { offset: 0, total: 0 };
  prev.addEventListener("click", () => onPage(Math.max(0, state.offset - pageSize)));
  next.addEventListener("click", () => onPage(state.offset + pageSize));
  return {
    get offset() {
      return state.offset;
    },
    update(offset, total) {
      state.offset = offset;
      state.total = total;
      const pages = Math.max(1, Math.ceil(total / pageSize));
      label.textContent = `Page ${Math.floor(offset / pageSize) + 1} of ${pages}`;
      prev.disabled = offset === 0;
      next.disabled = offset + pageSize >= total;
    },
  };
}
