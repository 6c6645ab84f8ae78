// When has the learner finished a sentence? Loudness of the microphone, measured every 50 ms: once
// there has been speech, a pause of `silenceMs` ends the utterance (or `maxMs` in all). Used by the
// session page's hands-free mode, a real-time voice conversation that needs no key.

export class VoiceActivity {
  constructor(stream, { onSpeechEnd, threshold = 0.015, silenceMs = 900, minSpeechMs = 250, maxMs = 15000 } = {}) {
    this.stream = stream;
    this.onSpeechEnd = onSpeechEnd ?? (() => {});
    this.threshold = threshold;
    this.silenceMs = silenceMs;
    this.minSpeechMs = minSpeechMs;
    this.maxMs = maxMs;
    this.context = null;
    this.timer = null;
  }

  start() {
    this.context = new AudioContext();
    const source = this.context.createMediaStreamSource(this.stream);
    this.analyser = this.context.createAnalyser();
    this.analyser.fftSize = 1024;
    source.connect(this.analyser);
    this.samples = new Float32Array(this.analyser.fftSize);
    this.startedAt = performance.now();
    this.speechFrom = null;
    this.lastVoice = null;
    this.timer = setInterval(() => this.tick(), 50);
  }

  /** Loudness (RMS, 0..1) of the latest samples. */
  level() {
    this.analyser.getFloatTimeDomainData(this.samples);
    let sum = 0;
    for (const sample of this.samples) sum += sample * sample;
    return Math.sqrt(sum / this.samples.length);
  }

  tick() {
    const now = performance.now();
    if (this.level() > this.threshold) {
      if (this.speechFrom === null) this.speechFrom = now;
      this.lastVoice = now;
    }
    const spoke = this.speechFrom !== null && this.lastVoice - this.speechFrom >= this.minSpeechMs;
    if ((spoke && now - this.lastVoice >= this.silenceMs) || now - this.startedAt >= this.maxMs) {
      this.stop();
      this.onSpeechEnd({ spoke });
    }
  }

  stop() {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.context?.close().catch(() => {});
    this.context = null;
  }
}
