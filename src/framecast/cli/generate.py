"""``framecast generate text|frames|ingredients|image``: one generation, with a progress bar."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from framecast.cli.context import open_database, run_async
from framecast.cli.costs import announce_cost
from framecast.cli.options import ApiKeyOpt, AspectChoice, AspectOpt, OutOpt, ProviderOpt
from framecast.cli.progress import run_with_progress
from framecast.core.errors import FramecastError
from framecast.core.settings import get_settings
from framecast.db.metric_totals import publishing
from framecast.jobs.repository import JobRepository, JobSpec
from framecast.jobs.states import JobState
from framecast.jobs.worker import Worker
from framecast.providers import registry
from framecast.providers.base import Aspect, GenerationRequest, Mode, refuse_unsupported_options
from framecast.studio.generation_kind import KIND as GENERATION
from framecast.studio.outputs import slug
from framecast.studio.requests import request_to_json

app = typer.Typer(no_args_is_help=True, help="Generate one video or image set.")
console = Console(stderr=True)

CountOpt = Annotated[int, typer.Option("--count", min=1, max=4, help="How many videos/images (1-4).")]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Start even when the provider's balance looks too small.")
]
# Options only some providers support (google-veo); another provider refuses them, naming the option.
DurationOpt = Annotated[int | None, typer.Option("--duration", help="Video length in seconds (google-veo).")]
ResolutionOpt = Annotated[str | None, typer.Option("--resolution", help="720p, 1080p or 4k (google-veo).")]
NegativeOpt = Annotated[
    str | None, typer.Option("--negative-prompt", help="What the result should not show (google-veo).")
]
PeopleOpt = Annotated[
    str | None,
    typer.Option("--person-generation", help="allow_all, allow_adult or dont_allow (google-veo)."),
]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Seed (google-veo on Vertex AI).")]
AudioOpt = Annotated[
    bool | None, typer.Option("--audio/--no-audio", help="Generate sound (google-veo on Vertex AI).")
]


@dataclass(frozen=True)
class _VideoOptions:
    """The provider-specific options every subcommand passes the same way."""

    duration: int | None
    resolution: str | None
    negative_prompt: str | None
    person_generation: str | None
    seed: int | None
    audio: bool | None

    def request(
        self,
        mode: Mode,
        prompt: str,
        aspect: AspectChoice,
        count: int,
        *,
        start_image: Path | None = None,
        end_image: Path | None = None,
        reference_images: tuple[Path, ...] = (),
    ) -> GenerationRequest:
        return GenerationRequest(
            mode,
            prompt,
            Aspect(aspect.value),
            count,
            start_image=start_image,
            end_image=end_image,
            reference_images=reference_images,
            duration_seconds=self.duration,
            resolution=self.resolution,
            negative_prompt=self.negative_prompt,
            person_generation=self.person_generation,
            seed=self.seed,
            generate_audio=self.audio,
        )


def _run(
    request: GenerationRequest,
    provider: str | None,
    out: Path,
    api_key: str | None,
    force: bool,
) -> None:
    settings = get_settings()
    chosen = provider or settings.default_provider
    request.validate()
    traits = registry.traits(chosen, settings)
    refuse_unsupported_options(request, traits.options_for(request.mode), traits.label or chosen)
    db = open_database(settings)
    repo = JobRepository(db)
    out = out.resolve()
    base = slug(request.prompt)
    stems = [base] if request.count == 1 else [f"{base}_{n}" for n in range(1, request.count + 1)]
    stems = _unique(out, stems, ".png" if request.mode is Mode.IMAGE else ".mp4")
    job_ids: list[int] = []

    async def main(stop: asyncio.Event) -> bool:
        worker = Worker(db, settings, kinds=[GENERATION], providers=[chosen], api_key=api_key)
        try:
            bundle = worker.bundles[chosen]
            credits = bundle.traits.credits_for(request.mode, request.count)
            # Before anything is queued: a refusal leaves no job behind.
            await announce_cost(console, bundle, credits, what="this generation", force=force)
            dollars = bundle.traits.dollars_for(
                request.mode, request.count, request.duration_seconds, request.resolution
            )
            if dollars is not None:
                console.print(
                    f"this generation on {bundle.traits.label}: about ${dollars:,.2f}, billed by the "
                    f"provider ({bundle.traits.price_source})"
                )
            job_id = repo.enqueue(
                JobSpec(
                    provider=chosen,
                    mode=request.mode.value,
                    request=request_to_json(request, out_dir=out, stems=stems),
                    max_attempts=settings.jobs.max_attempts,
                )
            )
            job_ids.append(job_id)
            worker.job_ids = [job_id]
            console.print(f"job {job_id}: {request.mode.value} on {chosen}")
            # Its claims and requests reach any server's /metrics through the database.
            async with publishing(db, settings.jobs.metrics_publish_s):
                return await run_with_progress(
                    worker, stop=stop, console=console, label=request.mode.value, job_ids=[job_id]
                )
        finally:
            await worker.aclose()

    finished = run_async(main)
    if not job_ids:
        raise typer.Exit(130)
    job_id = job_ids[0]
    job = repo.get(job_id)
    if job.state == JobState.SUCCEEDED.value:
        for output in job.outputs:
            typer.echo(output["path"])
        return
    if not finished:
        console.print(
            f"stopped; job {job_id} is {job.state}. `framecast worker` or `framecast jobs retry` resumes it."
        )
        raise typer.Exit(130)
    charged = " (charged by the provider)" if job.charged else ""
    console.print(f"[red]failed{charged}:[/red] {job.error_message or job.state}")
    raise typer.Exit(1)


def _unique(out: Path, stems: list[str], ext: str) -> list[str]:
    """Never overwrite an earlier result in the same folder."""
    n = 1
    candidate = stems
    while any((out / f"{s}{ext}").exists() for s in candidate):
        n += 1
        candidate = [f"{s}-{n}" for s in stems]
    return candidate


@app.command()
def text(
    prompt: str,
    out: OutOpt,
    aspect: AspectOpt = AspectChoice.landscape,
    count: CountOpt = 1,
    provider: ProviderOpt = None,
    api_key: ApiKeyOpt = None,
    force: ForceOpt = False,
    duration: DurationOpt = None,
    resolution: ResolutionOpt = None,
    negative_prompt: NegativeOpt = None,
    person_generation: PeopleOpt = None,
    seed: SeedOpt = None,
    audio: AudioOpt = None,
) -> None:
    """Text -> video."""
    options = _VideoOptions(duration, resolution, negative_prompt, person_generation, seed, audio)
    _run(options.request(Mode.TEXT, prompt, aspect, count), provider, out, api_key, force)


@app.command()
def frames(
    prompt: str,
    out: OutOpt,
    start: Annotated[Path, typer.Option("--start", help="Start frame (jpg, png, webp).")],
    end: Annotated[Path | None, typer.Option("--end", help="Optional end frame.")] = None,
    aspect: AspectOpt = AspectChoice.landscape,
    count: CountOpt = 1,
    provider: ProviderOpt = None,
    api_key: ApiKeyOpt = None,
    force: ForceOpt = False,
    duration: DurationOpt = None,
    resolution: ResolutionOpt = None,
    negative_prompt: NegativeOpt = None,
    person_generation: PeopleOpt = None,
    seed: SeedOpt = None,
    audio: AudioOpt = None,
) -> None:
    """Start frame (+ optional end frame) -> video."""
    options = _VideoOptions(duration, resolution, negative_prompt, person_generation, seed, audio)
    request = options.request(
        Mode.FRAMES,
        prompt,
        aspect,
        count,
        start_image=start.resolve(),
        end_image=end.resolve() if end else None,
    )
    _run(request, provider, out, api_key, force)


@app.command()
def ingredients(
    prompt: str,
    out: OutOpt,
    ref: Annotated[list[Path], typer.Option("--ref", help="Reference image; give 1 to 3.")],
    aspect: AspectOpt = AspectChoice.landscape,
    count: CountOpt = 1,
    provider: ProviderOpt = None,
    api_key: ApiKeyOpt = None,
    force: ForceOpt = False,
    duration: DurationOpt = None,
    resolution: ResolutionOpt = None,
    negative_prompt: NegativeOpt = None,
    person_generation: PeopleOpt = None,
    seed: SeedOpt = None,
    audio: AudioOpt = None,
) -> None:
    """1-3 reference images -> video."""
    options = _VideoOptions(duration, resolution, negative_prompt, person_generation, seed, audio)
    request = options.request(
        Mode.INGREDIENTS, prompt, aspect, count, reference_images=tuple(p.resolve() for p in ref)
    )
    _run(request, provider, out, api_key, force)


@app.command()
def image(
    prompt: str,
    out: OutOpt,
    ref: Annotated[list[Path] | None, typer.Option("--ref", help="Optional reference image(s).")] = None,
    aspect: AspectOpt = AspectChoice.landscape,
    count: CountOpt = 1,
    provider: ProviderOpt = None,
    api_key: ApiKeyOpt = None,
    force: ForceOpt = False,
    negative_prompt: NegativeOpt = None,
    person_generation: PeopleOpt = None,
    seed: SeedOpt = None,
) -> None:
    """Prompt -> images (PNG)."""
    options = _VideoOptions(None, None, negative_prompt, person_generation, seed, None)
    request = options.request(
        Mode.IMAGE, prompt, aspect, count, reference_images=tuple(p.resolve() for p in ref or [])
    )
    _run(request, provider, out, api_key, force)


__all__ = ["FramecastError", "app"]
