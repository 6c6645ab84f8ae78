// Client-side checks of chosen images, mirroring the server's (web/uploads.py) so that most mistakes
// are caught before an upload. The server still checks the content itself: a file named .png that
// is not a picture is refused there, and its message is shown next to the form.

import { formatBytes, h, fill, labelOf } from "./dom.js";

export const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/webp"]);

/** The problem with one chosen image, or null. ``field`` is the label the message starts with. */
export function imageProblem(field, file, maxBytes) {
  if (file.size === 0) return `${field}: ${file.name} is empty`;
  // An unknown type (empty string) is left to the server, which sniffs the content.
  if (file.type && !IMAGE_TYPES.has(file.type)) {
    return `${field}: ${file.name} is not an image (JPEG, PNG or WebP expected)`;
  }
  if (maxBytes && file.size > maxBytes) {
    return `${field}: ${file.name} is ${formatBytes(file.size)}; the limit is ${formatBytes(maxBytes)}`;
  }
  return null;
}

/** Chosen files of every file input in ``form``, skipping inputs left empty. */
export function chosenFiles(form) {
  const found = [];
  for (const input of form.querySelectorAll('input[type="file"]')) {
    for (const file of input.files ?? []) found.push({ field: input.name, label: labelOf(input), file, input });
  }
  return found;
}

/**
 * FormData of ``form`` without the empty parts a browser sends for file inputs left blank, so an
 * optional image that was not chosen is absent rather than an empty upload.
 */
export function formDataWithoutEmptyFiles(form) {
  const data = new FormData();
  for (const [name, value] of new FormData(form).entries()) {
    if (value instanceof File && value.size === 0 && !value.name) continue;
    data.append(name, value);
  }
  return data;
}

/** Thumbnails of the images chosen in ``input``, drawn into ``box``. */
export function showPreviews(input, box) {
  if (!box) return;
  for (const img of box.querySelectorAll("img")) URL.revokeObjectURL(img.src);
  fill(
    box,
    Array.from(input.files ?? [])
      .filter((file) => IMAGE_TYPES.has(file.type))
      .map((file) => h("img", { src: URL.createObjectURL(file), alt: file.name, title: file.name })),
  );
}
