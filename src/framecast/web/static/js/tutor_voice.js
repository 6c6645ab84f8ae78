// The tutor's voice on the session page: every reply is heard once, from one source at a time.
//
// A reply's speech arrives first and plays at once. Its avatar video is rendered meanwhile; when it
// arrives while the speech plays, it joins muted at the speech's position (the lips follow the
// voice, kept in step on every timeupdate) and the speech goes on to its end — the sentence is
// never started again or heard twice. A video that arrives after its speech has ended is only shown
// (its first frame); "▶ Watch the video" plays it with sound. Whatever the learner starts ("▶ Play",
// "▶ Watch the video", the microphone) first stops whatever is playing.

import { AudioQueue } from "./audio_queue.js";

// How far the muted video may drift from the speech before it is moved back in step (seconds).
const DRIFT_S = 0.3;

export class TutorVoice {
  /**
   * video: the avatar <video>; onblocked(): the browser refuses sound until the learner interacts;
   * silent(): true while the video must stay muted even when watched (the microphone listens).
   */
  constructor({ video, onblocked, silent }) {
    this.video = video;
    this.silent = silent ?? (() => false);
    this.onblocked = onblocked ?? (() => {});
    this.videos = new Map(); // message id -> video URL, for speech still to come
    this.joined = null; // {id, audio} while the video follows a speech
    this.watching = false; // the video plays with its own sound
    this.audio = new AudioQueue({
      onblocked: this.onblocked,
      onstart: (id, audio) => this.started(id, audio),
      onstop: (id, audio) => this.stopped(id, audio),
    });
    video.preload = "auto";
  }

  /** Whether the tutor can be heard now or is about to be (hands-free must not listen yet). */
  get speaking() {
    const { audio, video } = this;
    return audio.playing !== null || audio.queue.length > 0 || (!video.paused && !video.ended && !video.muted);
  }

  /** A new reply's speech (base64 MP3 or URL), queued after any reply still speaking. */
  say(id, source) {
    if (this.watching) this.stop();
    this.audio.enqueue(source, { id });
  }

  /**
   * The avatar video of reply ``id`` is ready: it joins the reply's speech if that is playing or
   * still to come; otherwise, for the latest reply, it is only shown.
   */
  videoReady(id, url, { latest = false } = {}) {
    if (!url) return;
    if (this.audio.playingId === id && this.audio.playing) {
      this.join(id, url, this.audio.playing);
    } else if (this.audio.has(id)) {
      this.videos.set(id, url);
    } else if (latest && !this.watching && !this.joined) {
      this.show(id, url);
    }
  }

  /** "▶ Play": stop what is playing, then play this clip alone (its video follows, if ready). */
  playClip(url, { id = null, videoUrl = null } = {}) {
    this.stop();
    if (id && videoUrl) this.videos.set(id, videoUrl);
    this.audio.enqueue(url, { id });
  }

  /** "▶ Watch the video": stop what is playing, then play the video from its start, with sound. */
  watch(url, { id = null } = {}) {
    this.stop();
    const { video } = this;
    this.watching = true;
    this.load(id, url);
    video.currentTime = 0;
    video.muted = this.silent();
    video.play().catch((error) => {
      if (error?.name !== "NotAllowedError") return; // a broken video: the "error" event reports it
      video.muted = true;
      this.onblocked();
      video.play().catch(() => {});
    });
  }

  /** Unmute the watched video once the learner allowed sound (the "enable sound" hint). */
  allowSound() {
    const { video } = this;
    if (this.watching && video.muted && !this.silent()) {
      video.muted = false;
      video.play().catch(() => {});
    }
  }

  /** Silence everything: the speech, queued replies and the video. */
  stop() {
    this.videos.clear();
    this.watching = false;
    this.joined = null;
    this.audio.clear();
    this.video.pause();
  }

  // -- internals --------------------------------------------------------------------------------

  started(id, audio) {
    const url = id ? this.videos.get(id) : null;
    if (url) {
      this.videos.delete(id);
      this.join(id, url, audio);
    }
  }

  stopped(id, audio) {
    if (this.joined?.audio !== audio) return;
    this.joined = null;
    // Ended: the muted video plays out its last frames. Stopped early: the lips stop with the voice.
    if (!audio.ended) this.video.pause();
  }

  join(id, url, audio) {
    const { video } = this;
    this.watching = false;
    this.joined = { id, audio };
    video.muted = true;
    const follow = () => {
      if (this.joined?.audio !== audio || audio.paused) return;
      const at = Math.min(audio.currentTime, Number.isFinite(video.duration) ? video.duration : Infinity);
      if (Math.abs(video.currentTime - at) > DRIFT_S && !video.seeking) video.currentTime = at;
      if (video.paused) video.play().catch(() => {});
    };
    audio.addEventListener("timeupdate", follow);
    audio.addEventListener("ended", () => audio.removeEventListener("timeupdate", follow), { once: true });
    if (this.load(id, url)) video.addEventListener("loadedmetadata", follow, { once: true });
    else follow();
  }

  show(id, url) {
    this.video.muted = true;
    this.load(id, url);
  }

  /** Point the video at ``url`` (true when it changed and has to load). */
  load(id, url) {
    const { video } = this;
    video.dataset.messageId = id ?? "";
    if (video.getAttribute("src") === url) return false;
    video.src = url;
    return true;
  }
}
