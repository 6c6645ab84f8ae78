// The Tutor session's hands-free mode, a real-time voice conversation that needs no key: listen,
// send when the learner pauses (VoiceActivity), wait for the tutor's reply and for it to finish
// speaking, then listen again.
//
// It drives the session page's own recording turn (the same one as the microphone button) through
// callbacks, so the page keeps a single place that records and sends.

import { VoiceActivity } from "./voice_activity.js";

export class HandsFree {
  /**
   * recorder: the page's Recorder; voice: its TutorVoice (the replies' speech and the avatar video).
   * Callbacks: toggleTurn() starts a recording turn, or stops and sends the one under way (async);
   * isEnded() and isBusy() (a turn is starting or stopping) say when not to listen; micIdle() puts the
   * microphone button back at rest; showState(text) sets the microphone's state line; onChange(on)
   * shows whether the mode is on; listeningText: what the state line says while it listens.
   */
  constructor({ recorder, voice, toggleTurn, isEnded, isBusy, micIdle, showState, onChange, listeningText }) {
    this.listeningText = listeningText ?? "Listening… (hands-free)";
    this.recorder = recorder;
    this.voice = voice;
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

  /** Whether the tutor can still be heard, or is about to be (the microphone must not pick it up). */
  tutorSpeaking() {
    return this.voice.speaking;
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
    this.showState(this.listeningText);
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

  /** The tutor answered the sent turn (or refused it): listen again once its reply has been heard
   * (its speech is queued by then; ``listen`` waits while the tutor speaks). */
  replyArrived() {
    if (!this.waitingForReply) return;
    this.waitingForReply = false;
    setTimeout(() => this.listen(), 600);
  }
}
