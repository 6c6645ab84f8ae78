// Provider choice on a form: the honest note about the offline renderer follows the selection, and
// so do the options only some providers take (duration, resolution, seed...).

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

/**
 * Show the option fields marked data-option="<name>" only while the selected provider takes that
 * option (the map in data-provider-options: provider -> option names). A hidden field is disabled
 * too, so the form never sends an option the provider would refuse.
 */
export function bindProviderOptions(form) {
  const select = form.querySelector('select[name="provider"]');
  const box = form.querySelector("[data-provider-options]");
  if (!select || !box) return;
  const byProvider = JSON.parse(box.dataset.providerOptions || "{}");
  const update = () => {
    const taken = new Set(byProvider[select.value] ?? []);
    let any = false;
    for (const field of $all("[data-option]", box)) {
      const on = taken.has(field.dataset.option);
      field.hidden = !on;
      for (const control of $all("input, select, textarea", field)) control.disabled = !on;
      any ||= on;
    }
    box.hidden = !any;
  };
  select.addEventListener("change", update);
  update();
}

/** The option fields' values the form would send now (enabled and filled in), by name. */
export function chosenOptions(form) {
  const values = {};
  for (const control of $all("[data-option] input, [data-option] select", form)) {
    if (!control.disabled && control.value.trim() !== "") values[control.name] = control.value.trim();
  }
  return values;
}
