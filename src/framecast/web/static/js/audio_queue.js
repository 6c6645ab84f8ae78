// Speech clips played one after another, each tagged with the message it speaks. Browsers refuse to
// play sound before the learner has interacted with the page, so clips wait in the queue until then
// (any click or key unlocks it).
//
// onstart(id, audio) runs when a clip starts playing, onstop(id, audio) when it ends or is stopped;
// the tutor's voice (tutor_voice.js) uses them to let the avatar video follow the speech.

export class AudioQueue {
  constructor({ onblocked, onstart, onstop } = {}) {
    this.queue = []; // {src, id}
    this.playing = null; // the <audio> being played (or being started)
    this.playingId = null;
    this.unlocked = false;
    this.onblocked = onblocked ?? (() => {});
    this.onstart = onstart ?? (() => {});
    this.onstop = onstop ?? (() => {});
    const unlock = () => {
      this.unlocked = true;
      this.next();
    };
    for (const type of ["pointerdown", "keydown"]) {
      document.addEventListener(type, unlock, { capture: true });
    }
  }

  /** Queue a clip: a URL or a base64 MP3 ("data:" URLs are built here); ``id``: its message. */
  enqueue(source, { mime = "audio/mpeg", id = null } = {}) {
    if (!source) return;
    const src = /^(data:|https?:|\/)/.test(source) ? source : `data:${mime};base64,${source}`;
    this.queue.push({ src, id });
    this.next();
  }

  /** Whether the message ``id`` is waiting in the queue. */
  has(id) {
    return this.queue.some((clip) => clip.id === id);
  }

  /** Stop the clip being played and forget the queued ones. */
  clear() {
    this.queue = [];
    const audio = this.playing;
    const id = this.playingId;
    this.playing = null;
    this.playingId = null;
    if (audio) {
      audio.pause();
      this.onstop(id, audio);
    }
  }

  next() {
    if (this.playing !== null || this.queue.length === 0) return;
    const { src, id } = this.queue[0];
    const audio = new Audio(src);
    if (id) audio.dataset.messageId = id;
    this.playing = audio;
    this.playingId = id;
    const done = () => {
      if (this.playing !== audio) return;
      this.playing = null;
      this.playingId = null;
      this.onstop(id, audio);
      this.next();
    };
    audio.addEventListener("ended", done, { once: true });
    audio.addEventListener(
      "error",
      () => {
        if (this.queue[0]?.src === src) this.queue.shift();
        done();
      },
      { once: true },
    );
    audio.play().then(
      () => {
        if (this.playing !== audio) return; // stopped while starting
        this.queue.shift();
        this.onstart(id, audio);
      },
      (error) => {
        if (error?.name !== "NotAllowedError") return; // a broken clip: the "error" event skips it
        // Not allowed yet: keep the clip and wait for the learner's first interaction.
        if (this.playing === audio) {
          this.playing = null;
          this.playingId = null;
        }
        this.onblocked();
      },
    );
  }
}
