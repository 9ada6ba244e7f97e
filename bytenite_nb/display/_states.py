"""State badges and the step bar, shared by every card that shows a job's state."""

from __future__ import annotations

from ..models import JobState
from ._html import MAX_LABEL, MAX_WORD, esc, fold


def state_tone(state: JobState | None) -> str:
    """The CSS tone of a state: ``ok``, ``run``, ``bad`` or ``""`` (neutral)."""
    if state is None or not state.is_known or state == JobState.NEW:
        return ""
    if state.is_failed:
        return "bad"
    return "ok" if state == JobState.COMPLETE else "run"


def state_word(state: JobState | None) -> str:
    """What the badge says: a label for known states, the raw name otherwise."""
    if state is None:
        return "unknown"
    return state.label if state.is_known else fold(str(state.value), MAX_WORD)


def badge(state: JobState | None) -> str:
    tone = state_tone(state)
    css_class = f"bn-badge bn-{tone}" if tone else "bn-badge"
    title = esc(fold(state.value, MAX_LABEL)) if state is not None else "no state reported"
    return f'<span class="{css_class}" title="{title}">{esc(state_word(state))}</span>'


def step_text(state: JobState | None) -> str:
    """``"step 3 of 10"`` for a known state on the way, ``""`` otherwise (ended too)."""
    if state is None or state.step is None or state.is_terminal:
        return ""
    return f"step {state.step + 1} of {len(JobState.progression())}"


def steps(state: JobState | None, failed_at: JobState | None = None) -> str:
    """A bar of one segment per state NEW → COMPLETE; done, current, failed."""
    progression = JobState.progression()
    if state is None or (state.step is None and not state.is_failed):
        return ""
    failed_step = failed_at.step if failed_at is not None else None
    reached = (failed_step if state.is_failed else state.step) or 0
    cells = []
    for index, each in enumerate(progression):
        if state.is_failed and index == reached:
            cls = "bn-fail"
        elif index < reached:
            cls = "bn-done"
        elif index == reached:
            cls = "bn-done" if each.is_terminal else "bn-now"
        else:
            cls = ""
        attr = f' class="{cls}"' if cls else ""
        cells.append(f'<span{attr} title="{esc(each.label)}"></span>')
    failed_where = f" while {progression[reached].label.lower()}" if state.is_failed else ""
    label = esc(step_text(state) or f"{state_word(state)}{failed_where}")
    return f'<div class="bn-steps" role="img" aria-label="{label}">{"".join(cells)}</div>'
