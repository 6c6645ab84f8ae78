// Replies' speech, played one after another. Browsers refuse to play sound before the learner has
// interacted with the page, so clips wait in the queue until then (any click or key unlocks it).

export class AudioQueue {
  constructor({ onblocked } = {}) {
    this.queue = [];
    this.playing = null;
    this.unlocked = false;
    this.onblocked = onblocked ?? (() => {});
    const unlock = () => {
      this.unlocked = true;
      this.next();
    };
    for (const type of ["pointerdown", "keydown"]) {
      document.addEventListener(type, unlock, { capture: true });
    }
  }

  /** Queue a clip: a URL or a base64 MP3 ("data:" URLs are built here). */
  enqueue(source, { mime = "audio/mpeg" } = {}) {
    if (!source) return;
    const src = /^(data:|https?:|\/)/.test(source) ? source : `data:${mime};base64,${source}`;
    this.queue.push(src);
    this.next();
  }

  clear() {
    this.queue = [];
    this.playing?.pause();
    this.playing = null;
  }

  next() {
    if (this.playing !== null || this.queue.length === 0) return;
    const audio = new Audio(this.queue[0]);
    this.playing = audio;
    const done = () => {
      if (this.playing === audio) this.playing = null;
      this.next();
    };
    audio.addEventListener("ended", done, { once: true });
    audio.addEventListener("error", () => {
      this.queue.shift();
      done();
    }, { once: true });
    audio.play().then(
      () => this.queue.shift(),
      (error) => {
        if (error?.name !== "NotAllowedError") return; // a broken clip: the "error" event skips it
        // Not allowed yet: keep the clip and wait for the learner's first interaction.
        if (this.playing === audio) this.playing = null;
        this.onblocked();
      },
    );
  }
}
