// The words the Tutor's browser modules draw, in English and Korean. A session's page uses the
// session's language, the other pages the learner's preference (the page's data-language). Korean
// words whose particle depends on the word (을/를, 이/가, ...) come from the server, which chooses them
// by the last syllable (tutor/korean.py): see the page's "tutor-words".

const EN = {
  // correction cards
  grammar: "Grammar",
  vocabulary: "Vocabulary",
  pronunciation: "Pronunciation",
  better: "A more natural way to say it",
  feedback: "Feedback",
  severity: { high: "important", medium: "worth fixing", low: "minor" },
  // chat items
  you: "You",
  tutor: "Tutor",
  voiceMessage: "Voice message…",
  spoken: "spoken",
  playRecording: "▶ Your recording",
  play: "▶ Play",
  watch: "▶ Watch the video",
  videoComing: "video on its way…",
  notSent: "not sent",
  pronunciationRow: "Pronunciation: ",
  heard: (word) => `heard “${word}”`,
  // connection and microphone
  status: {
    connecting: "Connecting…",
    connected: "Connected",
    reconnecting: "Reconnecting…",
    disconnected: "Disconnected",
    ended: "Session ended",
  },
  retryIn: (seconds) => `Trying again in ${seconds} s`,
  speak: "Speak",
  stop: "Stop",
  listening: "Listening…",
  listeningHandsFree: "Listening… (hands-free)",
  sending: "Sending…",
  // problems
  somethingWrong: "Something went wrong.",
  videoFailed: "The avatar video could not be played; the reply's text and sound are above.",
  tooLong: (length, limit) => `Your message is ${length} characters long; the limit is ${limit}.`,
  nothingRecorded: "Nothing was recorded: check the microphone, then try again.",
  recordingTooBig: (size, limit) => `The recording is ${size}; the limit is ${limit}. Record a shorter sentence.`,
  recordingFailed: (message) => `The recording failed: ${message}`,
  loggedOut: "You are logged out: log in again to end the session.",
  notEnded: (message) => `The session could not be ended: ${message}`,
  notLoaded: (message) => `The conversation could not be loaded: ${message}`,
  nothingSaid: "Nothing was said in this session.",
  // durations and scores
  duration: (minutes, seconds) => (minutes === 0 ? `${seconds} s` : seconds ? `${minutes} min ${seconds} s` : `${minutes} min`),
  hours: (hours, minutes) => `${hours} h ${minutes} min`,
  notMeasured: "not measured",
  notMeasuredYet: "not measured yet",
  // the summary
  summaryDuration: "Duration",
  summaryMessages: "Messages (yours)",
  summaryCorrections: "Corrections",
  noCorrections: "No corrections in this session.",
  byType: "Corrections by type: ",
  summarySentence: ({ duration, spoken, topType }) =>
    [
      `You talked for ${duration} and sent ${spoken} message${spoken === 1 ? "" : "s"}.`,
      topType ? `Most of your corrections were about ${topType.toLowerCase()}.` : "",
    ]
      .filter(Boolean)
      .join(" "),
  // the home page
  ended: "Ended",
  inProgress: "In progress",
  explainedIn: { en: "explained in English", ko: "explained in Korean" },
  notScored: "not scored",
  levels: { beginner: "beginner", intermediate: "intermediate", advanced: "advanced" },
  // the progress page
  severities: { high: "High", medium: "Medium", low: "Low" },
  conversation: "Conversation",
  phrasePractice: "Phrase practice",
  chartTitle: "Your scores over time (0 to 100)",
  chartTitleOf: (name) => `${name}'s scores over time (0 to 100)`,
  chartScored: (count, from, to) => `${count} conversation${count === 1 ? "" : "s"} scored from ${from} to ${to}.`,
  chartLatest: (g, v, p) => `Latest: grammar ${g}, vocabulary ${v}, pronunciation ${p}.`,
  chartPractice: (count, mean) => `${count} phrase attempt${count === 1 ? "" : "s"}, average ${mean}.`,
  showNumbers: "Show the numbers",
  when: "When",
  what: "What",
  loadingConversation: "Loading the conversation…",
  nothingSaidThere: "Nothing was said in this conversation.",
  betterShort: "Better",
  continue: "Continue",
  inProgressShort: "in progress",
  sessionScores: (g, v, p) => `grammar ${g} · vocabulary ${v}${p === null ? "" : ` · pronunciation ${p}`}`,
};

const KO = {
  grammar: "문법",
  vocabulary: "어휘",
  pronunciation: "발음",
  better: "더 자연스러운 표현",
  feedback: "피드백",
  severity: { high: "중요", medium: "보통", low: "사소함" },
  you: "나",
  tutor: "튜터",
  voiceMessage: "음성 메시지…",
  spoken: "음성",
  playRecording: "▶ 내 녹음",
  play: "▶ 듣기",
  watch: "▶ 영상 보기",
  videoComing: "영상을 만드는 중…",
  notSent: "보내지 못함",
  pronunciationRow: "발음: ",
  heard: (word) => `들린 말: “${word}”`,
  status: {
    connecting: "연결 중…",
    connected: "연결됨",
    reconnecting: "다시 연결하는 중…",
    disconnected: "연결 끊김",
    ended: "대화 끝남",
  },
  retryIn: (seconds) => `${seconds}초 뒤에 다시 시도해요`,
  speak: "말하기",
  stop: "멈추기",
  listening: "듣고 있어요…",
  listeningHandsFree: "듣고 있어요… (핸즈프리)",
  sending: "보내는 중…",
  somethingWrong: "문제가 생겼어요.",
  videoFailed: "아바타 영상을 재생할 수 없어요. 답장의 글과 소리는 위에 있어요.",
  tooLong: (length, limit) => `메시지가 ${length}자예요. 최대 ${limit}자까지 보낼 수 있어요.`,
  nothingRecorded: "녹음된 소리가 없어요. 마이크를 확인하고 다시 해 보세요.",
  recordingTooBig: (size, limit) => `녹음이 ${size}예요. 최대 ${limit}까지예요. 더 짧게 말해 보세요.`,
  recordingFailed: (message) => `녹음하지 못했어요: ${message}`,
  loggedOut: "로그아웃되었어요. 다시 로그인한 뒤 대화를 끝내 주세요.",
  notEnded: (message) => `대화를 끝내지 못했어요: ${message}`,
  notLoaded: (message) => `대화를 불러오지 못했어요: ${message}`,
  nothingSaid: "이 대화에서는 아무 말도 하지 않았어요.",
  duration: (minutes, seconds) => (minutes === 0 ? `${seconds}초` : seconds ? `${minutes}분 ${seconds}초` : `${minutes}분`),
  hours: (hours, minutes) => `${hours}시간 ${minutes}분`,
  notMeasured: "측정 안 됨",
  notMeasuredYet: "아직 측정 안 됨",
  summaryDuration: "대화 시간",
  summaryMessages: "메시지 (내 메시지)",
  summaryCorrections: "교정",
  noCorrections: "이번 대화에서는 고친 부분이 없어요.",
  byType: "유형별 교정: ",
  // topicObject / topTypeObject: a topic or type with its 을/를, from the server.
  summarySentence: ({ duration, spoken, topicObject, topTypeObject }) =>
    [
      `오늘은 ${topicObject ? `${topicObject} 주제로` : "자유 주제로"} ${duration} 동안 이야기하고, 메시지 ${spoken}개를 보냈어요.`,
      topTypeObject ? `${topTypeObject} 가장 많이 고쳤어요.` : "",
    ]
      .filter(Boolean)
      .join(" "),
  ended: "끝남",
  inProgress: "진행 중",
  explainedIn: { en: "영어 설명", ko: "한국어 설명" },
  notScored: "채점 안 됨",
  levels: { beginner: "초급", intermediate: "중급", advanced: "고급" },
  severities: { high: "높음", medium: "보통", low: "낮음" },
  conversation: "대화",
  phrasePractice: "문장 연습",
  chartTitle: "점수 변화 (0~100점)",
  chartTitleOf: (name) => `${name} 님의 점수 변화 (0~100점)`,
  chartScored: (count, from, to) => `${from}부터 ${to}까지 대화 ${count}번의 점수.`,
  chartLatest: (g, v, p) => `최근: 문법 ${g}, 어휘 ${v}, 발음 ${p}.`,
  chartPractice: (count, mean) => `문장 연습 ${count}번, 평균 ${mean}점.`,
  showNumbers: "숫자로 보기",
  when: "언제",
  what: "무엇",
  loadingConversation: "대화를 불러오는 중…",
  nothingSaidThere: "이 대화에서는 아무 말도 하지 않았어요.",
  betterShort: "더 나은 표현",
  continue: "이어서 하기",
  inProgressShort: "진행 중",
  sessionScores: (g, v, p) => `문법 ${g} · 어휘 ${v}${p === null ? "" : ` · 발음 ${p}`}`,
};

/** The Tutor's words in ``language`` ("ko" for Korean, English otherwise). */
export function textFor(language) {
  return language === "ko" ? KO : EN;
}

/** The particle-bearing Korean words the server put in the page (empty for English pages). */
export function pageWords() {
  const script = document.getElementById("tutor-words");
  if (!script) return {};
  try {
    return JSON.parse(script.textContent);
  } catch {
    return {};
  }
}
