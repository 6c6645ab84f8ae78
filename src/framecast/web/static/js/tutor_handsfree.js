// The Tutor session's hands-free mode, a real-time voice conversation that needs no key: listen,
// send when the learner pauses (VoiceActivity), wait for the tutor's reply and for it to finish
// speaking, then listen again.
//
// It drives the session page's own recording turn (the same one as the microphone button) through
// callbacks, so the page keeps a single place that records and sends.

import { VoiceActivity } from "./voice_activity.js";

export class HandsFree {
  /**
   * recorder: the page's Recorder; audio: its AudioQueue; video: the avatar <video>.
   * Callbacks: toggleTurn() starts a recording turn, or stops and sends the one under way (async);
   * isEnded() and isBusy() (a turn is starting or stopping) say when not to listen; micIdle() puts the
   * microphone button back at rest; showState(text) sets the microphone's state line; onChange(on)
   * shows whether the mode is on.
   */
  constructor({ recorder, audio, video, toggleTurn, isEnded, isBusy, micIdle, showState, onChange }) {
    this.recorder = recorder;
    this.audio = audio;
    this.video = video;
    this.toggleTurn = toggleTurn;
    this.isEnded = isEnded;
    this.isBusy = isBusy;
    this.micIdle = micIdle;
    this.showState = showState;
    this.onChange = onChange;
    this.on = false;
    this.voiceActivity = null;
    this.waitingForReply = false;
  }

  /** Whether the tutor can still be heard (the microphone must not pick it up). */
  tutorSpeaking() {
    const { audio, video } = this;
    return audio.playing !== null || audio.queue.length > 0 || (!video.paused && !video.ended && !video.muted);
  }

  /** Switch the mode on (it starts listening) or off (a recording under way is dropped). */
  set(on) {
    this.on = on && !this.isEnded();
    this.onChange(this.on);
    if (this.on) {
      this.listen();
      return;
    }
    this.voiceActivity?.stop();
    this.voiceActivity = null;
    this.waitingForReply = false;
    if (this.recorder.recording) {
      this.recorder.cancel();
      this.micIdle();
    }
    this.showState("");
  }

  async listen() {
    const { recorder } = this;
    if (!this.on || this.isEnded() || recorder.recording || this.isBusy() || this.waitingForReply) return;
    if (this.tutorSpeaking()) {
      setTimeout(() => this.listen(), 300);
      return;
    }
    await this.toggleTurn();
    if (!recorder.recording || recorder.stream === null) {
      this.set(false); // the microphone could not start: the error is shown already
      return;
    }
    this.showState("Listening… (hands-free)");
    this.voiceActivity = new VoiceActivity(recorder.stream, {
      onSpeechEnd: ({ spoke }) => {
        this.voiceActivity = null;
        if (!this.on || !recorder.recording) return;
        if (!spoke) {
          // Nothing said for a while: start a fresh recording instead of sending silence.
          recorder.cancel();
          this.micIdle();
          setTimeout(() => this.listen(), 0);
          return;
        }
        this.waitingForReply = true;
        this.toggleTurn();
      },
    });
    this.voiceActivity.start();
  }

  /** The tutor answered the sent turn (or refused it): listen again once its sound has started. */
  replyArrived() {
    if (!this.waitingForReply) return;
    this.waitingForReply = false;
    setTimeout(() => this.listen(), 600);
  }
}
