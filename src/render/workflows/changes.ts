/**
 * Config-only pushes skip the image build (agentic-rag: "configuration changes applied within 5
 * minutes"). On a push to main, cd.yml's image job compares the pushed commit with the previous
 * head (`github.event.before`) with plain `git diff`: when no changed file that can alter the image
 * lies in the service's build context, it deploys the digest the previous commit's run pushed
 * (tag `IMAGE:<before sha>`), tagged again with this commit so the next push finds it, instead of
 * building the multi-arch image. Configuration (never rebuilds): the spec, its `secrets/` folder,
 * every `config[].from` file (they become ConfigMaps), `docs/`, `.github/` and Markdown files.
 * Version tags always build: their images are signed by cd.yml on the tag's ref.
 */
import type { Step } from './common.js';
import type { BuiltImage, WorkflowPlan } from './plan.js';
import { expr, repoPath } from './yaml.js';

/** The step id whose output `build` is `true` or `false`. */
export const CHANGES_STEP = 'changes';

/** Paths, relative to the repository root, that are configuration or documentation. */
export function configPaths(plan: WorkflowPlan): string[] {
  return [
    ...new Set([
      plan.specPath,
      `${repoPath(plan.specPath, 'secrets')}/*`,
      ...plan.configFiles,
      'docs/*',
      '.github/*',
      '*.md',
    ]),
  ].map((p) => (p.startsWith('./') ? p.slice(2) : p));
}

/** A path as a bash `case` pattern: literal parts single-quoted, `*` left as a glob. */
function casePattern(path: string): string {
  return path
    .split('*')
    .map((part) => (part ? `'${part.replaceAll("'", "'\\''")}'` : ''))
    .join('*');
}

/** The bash of the decision step: reads BEFORE, REF_TYPE; writes build=true|false to $GITHUB_OUTPUT. */
export function changesScript(plan: WorkflowPlan, image: BuiltImage): string {
  const context = repoPath(plan.specPath, image.context);
  const inImage = [
    context === '.' ? '*' : `${casePattern(context)}/*`,
    casePattern(repoPath(plan.specPath, image.dockerfile)),
  ];
  return (
    [
      'build=true',
      '# Only pushes to a branch with a known previous commit can reuse; a tag, a new branch or a force push builds.',
      'if [ "$REF_TYPE" = branch ] && git cat-file -e "${BEFORE:-none}^{commit}" 2>/dev/null; then',
      '  build=false',
      '  while IFS= read -r file; do',
      '    case "$file" in',
      `      ${configPaths(plan).map(casePattern).join(' | ')}) continue ;;`,
      `      ${inImage.join(' | ')}) build=true ;;`,
      '    esac',
      '  done < <(git diff --name-only "$BEFORE" HEAD)',
      'fi',
      'echo "build=$build" >> "$GITHUB_OUTPUT"',
      'echo "build=$build"',
    ].join('\n') + '\n'
  );
}

export function changesStep(plan: WorkflowPlan, image: BuiltImage): Step {
  return {
    name: `Does this push change ${image.service}'s image, or only configuration?`,
    id: CHANGES_STEP,
    env: { BEFORE: expr('github.event.before'), REF_TYPE: expr('github.ref_type') },
    run: changesScript(plan, image),
  };
}

/**
 * Config-only: the previous commit's digest, tagged with this commit. No previous image (its run
 * failed, or it predates these workflows): an empty output, and the job builds after all.
 */
export function reuseStep(image: BuiltImage): Step {
  return {
    name: 'Configuration only: reuse the image the previous commit built',
    id: 'reuse',
    if: `steps.${CHANGES_STEP}.outputs.build == 'false'`,
    env: { IMAGE: image.repository, BEFORE: expr('github.event.before'), SHA: expr('github.sha') },
    run:
      [
        `if DIGEST=$(docker buildx imagetools inspect "$IMAGE:$BEFORE" --format '{{ .Manifest.Digest }}'); then`,
        '  docker buildx imagetools create --tag "$IMAGE:$SHA" "$IMAGE@$DIGEST"',
        '  echo "digest=$DIGEST" >> "$GITHUB_OUTPUT"',
        'else',
        '  echo "::notice::no image $IMAGE:$BEFORE: building it"',
        'fi',
      ].join('\n') + '\n',
  };
}

/** `if:` of the steps that build, scan, sign and attest: not when a digest was reused. */
export const BUILDING = "steps.reuse.outputs.digest == ''";
