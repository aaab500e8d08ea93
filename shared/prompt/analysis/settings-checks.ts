// The settings guidance as checks: 18–30 steps outside Turbo; CFG 7–15 for people and characters,
// 3–7 for architecture and large scenes; Euler a for icons and anime, DPM++ 2S a Karras for realistic
// portraits and complex scenes, DDIM for very high step counts; Turbo at 1–4 steps and CFG ≤ 1.

import type { PresetFamily, SubjectKind } from '../../presets/style-preset';
import type { SamplerIdWire } from '../../protocol/samplers';
import { SAMPLER_LABELS } from '../../protocol/samplers';
import { ANIME_TERMS, ICON_TERMS, PEOPLE_TERMS, REALISM_TERMS, SCENE_TERMS } from '../data/keyword-classes';
import type { Finding } from './finding';
import { containsPhrase, type Keyword } from './prompt-keywords';

export interface GenerationSettings {
  family?: PresetFamily;
  sampler?: SamplerIdWire;
  steps?: number;
  cfg?: number;
}

export const STEPS_RANGE = { min: 18, max: 30 } as const;
export const CFG_RANGES: Partial<Record<SubjectKind, { min: number; max: number }>> = {
  people: { min: 7, max: 15 },
  scene: { min: 3, max: 7 },
};
/** Above this many steps DDIM is the sampler to use. */
export const DDIM_STEPS = 50;

function countHits(keywords: readonly Keyword[], terms: readonly string[]): number {
  return keywords.filter((k) => terms.some((t) => containsPhrase(k.key, t))).length;
}

/** What the prompt is mostly about, judged from its first keywords (the subject comes first). */
export function detectSubject(keywords: readonly Keyword[]): { subject: SubjectKind; realistic: boolean } {
  const head = keywords.slice(0, 6);
  const realistic = countHits(keywords, REALISM_TERMS) > 0;
  if (countHits(keywords, ICON_TERMS) > 0) return { subject: 'icon', realistic };
  if (countHits(keywords, ANIME_TERMS) > 0) return { subject: 'anime', realistic };
  const people = countHits(head, PEOPLE_TERMS);
  const scene = countHits(head, SCENE_TERMS);
  if (people > 0 && people >= scene) return { subject: 'people', realistic };
  if (scene > 0) return { subject: 'scene', realistic };
  return { subject: 'general', realistic };
}

const SUBJECT_WORDS: Record<SubjectKind, string> = {
  people: 'people and characters',
  scene: 'architecture and large scenes',
  icon: 'icons',
  anime: 'anime',
  object: 'objects',
  general: 'this subject',
};

function settingsFinding(
  code: Finding['code'],
  message: string,
  fix?: Finding['fix'],
  severity: Finding['severity'] = 'warning',
): Finding {
  return { code, severity, target: 'settings', span: { start: 0, end: 0 }, message, fix };
}

/** Sampler the guidance recommends, if it has an opinion for this subject and step count. */
export function recommendedSampler(
  subject: SubjectKind,
  realistic: boolean,
  steps: number | undefined,
  complex = false,
): SamplerIdWire | undefined {
  if (steps !== undefined && steps > DDIM_STEPS) return 'ddim';
  if (subject === 'icon' || subject === 'anime') return 'euler_a';
  if ((subject === 'people' && realistic) || (subject === 'scene' && complex)) return 'dpmpp_2s_a_karras';
  return undefined;
}

/** A scene with this many keywords or more counts as complex. */
export const COMPLEX_SCENE_KEYWORDS = 6;

export function settingsFindings(
  settings: GenerationSettings,
  subject: SubjectKind,
  realistic: boolean,
  complex = false,
): Finding[] {
  const findings: Finding[] = [];
  const { steps, cfg, sampler } = settings;
  if (settings.family === 'turbo') {
    if ((steps !== undefined && steps > 4) || (cfg !== undefined && cfg > 1)) {
      findings.push(
        settingsFinding(
          'P_TURBO_SETTINGS',
          `Turbo models are distilled for 1–4 steps without guidance; got ${steps ?? '?'} steps at CFG ${cfg ?? '?'}`,
          {
            label: 'Use 4 steps at CFG 0',
            settings: { steps: Math.min(4, steps ?? 4), cfg: 0 },
          },
        ),
      );
    }
    return findings;
  }
  if (steps !== undefined && (steps < STEPS_RANGE.min || steps > STEPS_RANGE.max)) {
    const suggestion = Math.min(STEPS_RANGE.max, Math.max(STEPS_RANGE.min, steps));
    const why =
      steps < STEPS_RANGE.min ? 'too few to converge' : 'more costs time and rarely improves the image';
    const ddimNote = steps > DDIM_STEPS && sampler !== 'ddim' ? ' (for very high step counts use DDIM)' : '';
    findings.push(
      settingsFinding('P_STEPS_RANGE', `${steps} steps: ${why}; 18–30 suits most samplers${ddimNote}`, {
        label: `Use ${suggestion} steps`,
        settings: { steps: suggestion },
      }),
    );
  }
  const range = CFG_RANGES[subject];
  if (range && cfg !== undefined && (cfg < range.min || cfg > range.max)) {
    const suggestion = Math.min(range.max, Math.max(range.min, cfg));
    findings.push(
      settingsFinding(
        'P_CFG_RANGE',
        `CFG ${cfg} for ${SUBJECT_WORDS[subject]}: ${range.min}–${range.max} works best`,
        {
          label: `Use CFG ${suggestion}`,
          settings: { cfg: suggestion },
        },
      ),
    );
  }
  const recommended = recommendedSampler(subject, realistic, steps, complex);
  if (recommended && sampler !== undefined && sampler !== recommended) {
    const why =
      recommended === 'ddim'
        ? `DDIM for very high step counts (${steps})`
        : `${SAMPLER_LABELS[recommended]} suits ${subject === 'people' ? 'realistic portraits' : subject === 'scene' ? 'complex scenes' : SUBJECT_WORDS[subject]}`;
    findings.push(
      settingsFinding(
        'P_SAMPLER_SUGGESTION',
        `${why}; ${SAMPLER_LABELS[sampler]} is selected`,
        { label: `Use ${SAMPLER_LABELS[recommended]}`, settings: { sampler: recommended } },
        'info',
      ),
    );
  }
  return findings;
}
