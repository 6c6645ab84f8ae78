// Provider choice on a form: the honest note about the offline renderer follows the selection.

import { $all } from "./dom.js";

/** Show the notes marked data-provider-note="<name>" only while that provider is selected. */
export function bindProviderNote(form) {
  const select = form.querySelector('select[name="provider"]');
  if (!select) return;
  const update = () => {
    for (const note of $all("[data-provider-note]", form)) {
      note.hidden = note.dataset.providerNote !== select.value;
    }
  };
  select.addEventListener("change", update);
  update();
}
