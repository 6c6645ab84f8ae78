// Microphone recording for the Tutor: MediaRecorder with the first type this browser supports (the
// list the original tutor used), handed over as base64 without the data-URL prefix plus its MIME type.

export const RECORDING_TYPES = [
  "audio/webm;codecs=opus",
  "audio/webm",
  "audio/mp4",
  "audio/aac",
  "audio/ogg;codecs=opus",
  "audio/wav",
];

export const RAW_AUDIO = { echoCancellation: false, noiseSuppression: false, autoGainControl: false };

/** The first type of RECORDING_TYPES this browser can record, or "" to let it choose. */
export function supportedType() {
  if (typeof MediaRecorder === "undefined") return "";
  return RECORDING_TYPES.find((type) => MediaRecorder.isTypeSupported(type)) ?? "";
}

/** A Blob's bytes as base64, without the "data:...;base64," prefix. */
export function blobToBase64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] ?? "");
    reader.onerror = () => reject(reader.error ?? new Error("could not read the recording"));
    reader.readAsDataURL(blob);
  });
}

export class RecorderError extends Error {}

/**
 * One microphone recording at a time:
 *   const recorder = new Recorder(); await recorder.start(); ... const {base64, mime, blob} = await recorder.stop();
 * start() throws RecorderError with a message a learner understands (no microphone, permission denied).
 */
export class Recorder {
  constructor() {
    this.mediaRecorder = null;
    this.stream = null;
    this.chunks = [];
  }

  get recording() {
    return this.mediaRecorder !== null && this.mediaRecorder.state === "recording";
  }

  async start() {
    if (this.recording) return;
    if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === "undefined") {
      throw new RecorderError("This browser cannot record audio here (it needs HTTPS or localhost).");
    }
    try {
      // Raw sound: the voice-call clean-up (noise suppression, gain control, echo cancellation)
      // garbles speech for recognition and pronunciation scoring. Pages stop playback while recording.
      this.stream = await navigator.mediaDevices.getUserMedia({ audio: RAW_AUDIO });
    } catch (error) {
      const denied = error?.name === "NotAllowedError" || error?.name === "SecurityError";
      throw new RecorderError(
        denied
          ? "The microphone is blocked: allow it in the browser's address bar, then try again."
          : "No microphone was found.",
      );
    }
    const type = supportedType();
    this.chunks = [];
    this.mediaRecorder = new MediaRecorder(this.stream, type ? { mimeType: type } : {});
    this.mediaRecorder.addEventListener("dataavailable", (event) => {
      if (event.data && event.data.size > 0) this.chunks.push(event.data);
    });
    this.mediaRecorder.start(250);
  }

  /** Stop and return {blob, mime, base64}; the microphone is released. */
  async stop() {
    const mediaRecorder = this.mediaRecorder;
    if (mediaRecorder === null) throw new RecorderError("Nothing is being recorded.");
    const stopped = new Promise((resolve) => mediaRecorder.addEventListener("stop", resolve, { once: true }));
    if (mediaRecorder.state !== "inactive") mediaRecorder.stop();
    await stopped;
    this.release();
    const mime = (mediaRecorder.mimeType || this.chunks[0]?.type || "audio/webm").split(";")[0];
    const blob = new Blob(this.chunks, { type: mime });
    this.chunks = [];
    return { blob, mime, base64: await blobToBase64(blob) };
  }

  /** Stop without keeping anything. */
  cancel() {
    if (this.mediaRecorder && this.mediaRecorder.state !== "inactive") this.mediaRecorder.stop();
    this.release();
    this.chunks = [];
  }

  release() {
    this.stream?.getTracks().forEach((track) => track.stop());
    this.stream = null;
    this.mediaRecorder = null;
  }
}
