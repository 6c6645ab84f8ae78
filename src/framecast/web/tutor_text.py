"""The words of the Tutor's pages, in English and Korean: the templates read ``t.<key>``.

A session's page is in the session's language; the home, progress and real-time pages (and the
Tutor's tabs) in the learner's ``tutor_language`` preference. Text the browser modules draw lives
in ``static/js/tutor_text.js``, except the Korean words whose particle depends on the word
(``tutor/korean.py``): :func:`particle_words` gives them to the page.
"""

from __future__ import annotations

from typing import Any

from framecast.tutor.brain import CATEGORIES, DIFFICULTIES, Language
from framecast.tutor.korean import with_particle

TOPICS: dict[Language, dict[str, str]] = {
    "en": {
        "greeting": "Greetings",
        "daily_life": "Daily life",
        "work": "Work",
        "travel": "Travel",
        "shopping": "Shopping",
        "health": "Health",
        "opinions": "Opinions",
        "small_talk": "Small talk",
    },
    "ko": {
        "greeting": "인사와 소개",
        "daily_life": "일상생활",
        "work": "직장 생활",
        "travel": "여행",
        "shopping": "쇼핑",
        "health": "건강",
        "opinions": "의견 나누기",
        "small_talk": "스몰 토크",
    },
}
LEVELS: dict[Language, dict[str, str]] = {
    "en": {"beginner": "Beginner", "intermediate": "Intermediate", "advanced": "Advanced"},
    "ko": {"beginner": "초급", "intermediate": "중급", "advanced": "고급"},
}
LANGUAGE_NAMES: dict[Language, dict[str, str]] = {
    "en": {"en": "English", "ko": "한국어 (Korean)"},
    "ko": {"en": "영어 (English)", "ko": "한국어"},
}
_TYPES: dict[str, str] = {"grammar": "문법", "vocabulary": "어휘", "pronunciation": "발음"}

TEXT: dict[Language, dict[str, str]] = {
    "en": {
        # the Tutor's tabs
        "tab_conversation": "Conversation",
        "tab_practice": "Practice",
        "tab_progress": "Progress",
        "tab_live": "Real-time",
        "tabs_label": "Tutor",
        # home
        "home_title": "Tutor",
        "home_heading": "English tutor",
        "home_intro": (
            "Talk or type in English; the tutor answers, corrects you gently and tracks your progress."
        ),
        "start_heading": "Start a conversation",
        "level": "Level",
        "topic": "Topic",
        "free_conversation": "Free conversation",
        "explanations_in": "Explanations in",
        "explanations_hint": (
            "The tutor always speaks English; corrections and feedback are explained in this language."
        ),
        "start_button": "Start the session",
        "who_listens": "Who is listening",
        "offline_note": (
            "This is the offline tutor: rule-based checker and scripted lessons. It runs on this computer "
            "and needs no keys; its corrections cover common mistakes, not everything a teacher would notice."
        ),
        "speech_recognition": "Speech recognition",
        "voice": "Voice",
        "tutor": "Tutor",
        "avatar": "Avatar",
        "offline_tutor": "offline tutor: rule-based checker and scripted lessons",
        "offline_avatar": "a drawn portrait that moves with the speech",
        "recent_heading": "Your recent sessions",
        "no_sessions": "No sessions yet. Start one: say hello, or tell the tutor about your day.",
        # session
        "session_title": "Tutor session",
        "session_heading": "Conversation",
        "connecting": "Connecting…",
        "tutor_aside": "Tutor",
        "video_label": "The tutor speaking",
        "enable_sound": "Click to enable sound",
        "explanations": "Explanations",
        "offline_brain": "offline: rule-based checker and scripted lessons",
        "end_session": "End session",
        "conversation_label": "Conversation",
        "loading_conversation": "Loading the conversation…",
        "messages_label": "Messages",
        "dismiss": "Dismiss",
        "dismiss_label": "Dismiss the message",
        "message_label": "Your message in English",
        "placeholder": "Write in English… (Enter sends, Shift+Enter for a new line)",
        "record_title": "Record a spoken sentence",
        "speak": "Speak",
        "handsfree": "Hands-free",
        "handsfree_title": "Talk without pressing buttons: the tutor listens, answers, and listens again",
        "send": "Send",
        "summary_heading": "Session summary",
        "see_progress": "See your progress",
        "new_session": "Start a new session",
        # progress
        "progress_title": "Tutor · progress",
        "progress_heading": "Your progress",
        "progress_intro": "Scores from 0 to 100, updated each time a conversation ends.",
        "loading_progress": "Loading your progress…",
        "no_progress": "No progress yet.",
        "no_progress_before": "Have a",
        "no_progress_conversation": "conversation with the tutor",
        "no_progress_or": "or",
        "no_progress_practice": "practise a phrase",
        "no_progress_after": ": your scores, corrections and suggestions will appear here.",
        "scores": "Scores",
        "grammar": "Grammar",
        "vocabulary": "Vocabulary",
        "pronunciation": "Pronunciation",
        "conversations_ended": "Conversations ended",
        "time_practised": "Time practised",
        "corrections": "Corrections",
        "phrase_attempts": "Phrase attempts",
        "over_time": "Over time",
        "chart_empty": "The chart starts once a conversation has ended.",
        "by_type": "By type",
        "by_severity": "By severity",
        "common_mistakes": "Most common mistakes",
        "no_mistakes": "No grammar or vocabulary mistakes so far.",
        "suggestions": "Suggestions",
        "recent_conversations": "Recent conversations",
        "no_conversations": "No conversations yet.",
        "practice_attempts": "Recent phrase attempts",
        "no_practice_attempts": "No phrase practised yet.",
        # real-time
        "live_title": "Tutor · real-time",
        "live_heading": "Real-time conversation",
        "live_intro": "Talk face to face with an avatar teacher who corrects you as you speak.",
        "live_notice": (
            "The conversation uses your camera and microphone, and lasts at most 10 minutes. It ends when "
            "you press End or leave this page."
        ),
        "live_start": "Start a real-time conversation",
        "live_end": "End the conversation",
        "live_unset_heading": "Real-time mode is not set up on this server",
        "live_unset_intro": (
            "Real-time conversations run on Tavus and need an account there. Whoever runs this server "
            "sets, in its environment:"
        ),
        "live_unset_key": "the Tavus API key, and",
        "or": "or",
        "live_unset_persona": "the avatar to talk to,",
        "live_unset_restart": "then restarts Framecast.",
        "live_offline_before": "No key needed: the",
        "live_offline_link": "conversation with the offline tutor",
        "live_offline_after": (
            "works right now — speak or type, and every sentence is corrected. Switch on Hands-free "
            "there for a spoken back-and-forth without pressing buttons: the tutor listens, answers "
            "when you pause, and listens again."
        ),
    },
    "ko": {
        "tab_conversation": "대화",
        "tab_practice": "연습",
        "tab_progress": "진도",
        "tab_live": "실시간",
        "tabs_label": "튜터",
        "home_title": "튜터",
        "home_heading": "영어 튜터",
        "home_intro": "영어로 말하거나 써 보세요. 튜터가 대답하고, 부드럽게 고쳐 주고, 실력을 기록해요.",
        "start_heading": "대화 시작하기",
        "level": "수준",
        "topic": "주제",
        "free_conversation": "자유 대화",
        "explanations_in": "설명 언어",
        "explanations_hint": "튜터는 항상 영어로 말해요. 교정과 피드백은 이 언어로 설명해요.",
        "start_button": "대화 시작",
        "who_listens": "누가 듣고 있나요",
        "offline_note": (
            "오프라인 튜터예요: 규칙 기반 교정기와 대본 수업으로 이 컴퓨터에서 실행되고, 키가 필요 없어요. "
            "흔한 실수는 고쳐 주지만, 선생님이 알아챌 모든 것을 잡아내지는 못해요."
        ),
        "speech_recognition": "음성 인식",
        "voice": "음성",
        "tutor": "튜터",
        "avatar": "아바타",
        "offline_tutor": "오프라인 튜터: 규칙 기반 교정기와 대본 수업",
        "offline_avatar": "말에 맞춰 움직이는 초상화",
        "recent_heading": "최근 대화",
        "no_sessions": "아직 대화가 없어요. 인사를 하거나 오늘 하루 이야기를 하며 시작해 보세요.",
        "session_title": "튜터 대화",
        "session_heading": "대화",
        "connecting": "연결 중…",
        "tutor_aside": "튜터",
        "video_label": "말하는 튜터",
        "enable_sound": "눌러서 소리 켜기",
        "explanations": "설명 언어",
        "offline_brain": "오프라인: 규칙 기반 교정기와 대본 수업",
        "end_session": "대화 끝내기",
        "conversation_label": "대화",
        "loading_conversation": "대화를 불러오는 중…",
        "messages_label": "메시지",
        "dismiss": "닫기",
        "dismiss_label": "메시지 닫기",
        "message_label": "영어로 쓴 메시지",
        "placeholder": "영어로 써 보세요… (Enter로 보내기, Shift+Enter로 줄 바꾸기)",
        "record_title": "말해서 보내기",
        "speak": "말하기",
        "handsfree": "핸즈프리",
        "handsfree_title": "버튼 없이 대화해요: 튜터가 듣고, 대답하고, 다시 들어요",
        "send": "보내기",
        "summary_heading": "대화 요약",
        "see_progress": "내 진도 보기",
        "new_session": "새 대화 시작하기",
        "progress_title": "튜터 · 진도",
        "progress_heading": "내 진도",
        "progress_intro": "0점부터 100점까지, 대화가 끝날 때마다 바뀌어요.",
        "loading_progress": "진도를 불러오는 중…",
        "no_progress": "아직 기록이 없어요.",
        "no_progress_before": "",
        "no_progress_conversation": "튜터와 대화하거나",
        "no_progress_or": "",
        "no_progress_practice": "문장을 연습해 보세요",
        "no_progress_after": ". 점수, 교정, 제안이 여기에 나타나요.",
        "scores": "점수",
        "grammar": "문법",
        "vocabulary": "어휘",
        "pronunciation": "발음",
        "conversations_ended": "끝낸 대화",
        "time_practised": "연습 시간",
        "corrections": "교정",
        "phrase_attempts": "문장 연습 횟수",
        "over_time": "점수 변화",
        "chart_empty": "대화가 하나 끝나면 그래프가 시작돼요.",
        "by_type": "유형별",
        "by_severity": "중요도별",
        "common_mistakes": "자주 하는 실수",
        "no_mistakes": "아직 문법이나 어휘 실수가 없어요.",
        "suggestions": "제안",
        "recent_conversations": "최근 대화",
        "no_conversations": "아직 대화가 없어요.",
        "practice_attempts": "최근 문장 연습",
        "no_practice_attempts": "아직 연습한 문장이 없어요.",
        "live_title": "튜터 · 실시간",
        "live_heading": "실시간 대화",
        "live_intro": "말하는 동안 고쳐 주는 아바타 선생님과 얼굴을 보며 이야기해요.",
        "live_notice": (
            "대화에는 카메라와 마이크를 쓰고, 최대 10분까지 이어져요. 끝내기를 누르거나 이 페이지를 "
            "떠나면 끝나요."
        ),
        "live_start": "실시간 대화 시작하기",
        "live_end": "대화 끝내기",
        "live_unset_heading": "이 서버에는 실시간 모드가 설정되어 있지 않아요",
        "live_unset_intro": (
            "실시간 대화는 Tavus에서 실행되고 Tavus 계정이 필요해요. 서버를 운영하는 사람이 환경에 "
            "다음을 설정하고:"
        ),
        "live_unset_key": "Tavus API 키, 그리고",
        "or": "또는",
        "live_unset_persona": "대화할 아바타",
        "live_unset_restart": "Framecast를 다시 시작해야 해요.",
        "live_offline_before": "키 없이도",
        "live_offline_link": "오프라인 튜터와의 대화",
        "live_offline_after": (
            "는 지금 바로 할 수 있어요. 말하거나 쓰면 모든 문장을 고쳐 줘요. 핸즈프리를 켜면 버튼 "
            "없이 말로 주고받을 수 있어요: 튜터가 듣고, 말을 멈추면 대답하고, 다시 들어요."
        ),
    },
}


def ui_language(value: str | None) -> Language:
    """``value`` as a page language: Korean for ``"ko"``, English for anything else."""
    return "ko" if value == "ko" else "en"


def page_values(language: Language) -> dict[str, Any]:
    """What a Tutor template needs to speak ``language``: ``t``, labels and the language itself."""
    return {
        "ui_language": language,
        "t": TEXT[language],
        "topics": [(name, TOPICS[language].get(name, name)) for name in CATEGORIES],
        "levels": {level: LEVELS[language][level] for level in DIFFICULTIES},
        "languages": LANGUAGE_NAMES[language],
    }


def about_learner(language: Language, name: str) -> dict[str, str]:
    """:data:`TEXT` for a teacher's view of the learner ``name``: the words the progress body says
    to the learner said about them instead (``t`` of ``class_learner.html``)."""
    if language == "ko":
        told = {
            "loading_progress": f"{name} 님의 진도를 불러오는 중…",
            "no_practice_attempts": f"{name} 님은 아직 연습한 문장이 없어요.",
        }
    else:
        told = {
            "loading_progress": f"Loading {name}'s progress…",
            "no_practice_attempts": f"{name} has not practised a phrase yet.",
        }
    return TEXT[language] | told


def particle_words(language: Language, topic: str | None) -> dict[str, Any]:
    """The words the browser puts before a particle in ``language`` (Korean only): the session's
    topic and each correction type followed by 을/를, chosen by their last syllable."""
    if language != "ko":
        return {}
    return {
        "topic_object": with_particle(TOPICS["ko"][topic], "을/를") if topic in TOPICS["ko"] else None,
        "types_object": {kind: with_particle(label, "을/를") for kind, label in _TYPES.items()},
    }
