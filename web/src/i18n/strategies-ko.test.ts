import { describe, expect, it } from 'vitest';
import { strategies } from '../../../core/strategy';
import { STRATEGIES_KO, strategyText } from './strategies-ko';

describe('Korean strategy texts', () => {
  it('cover every registered strategy and every parameter it describes, and nothing else', () => {
    const registered = Object.values(strategies);
    expect(Object.keys(STRATEGIES_KO).sort()).toEqual(registered.map((s) => s.id).sort());
    for (const s of registered) {
      const described = Object.entries(s.params.properties ?? {})
        .filter(([, spec]) => spec.description)
        .map(([name]) => name)
        .sort();
      expect(Object.keys(STRATEGIES_KO[s.id].params).sort(), s.id).toEqual(described);
      expect(STRATEGIES_KO[s.id].name.length, s.id).toBeGreaterThan(0);
      expect(STRATEGIES_KO[s.id].description.length, s.id).toBeGreaterThan(0);
    }
  });

  it('are chosen for Korean only; English keeps the server text', () => {
    const probe = { id: 'probe', name: 'Probe (demo)', description: 'Buys any market …' };
    expect(strategyText('ko', probe).name).toBe(STRATEGIES_KO.probe.name);
    expect(strategyText('ko-KR', probe).param('targetPct', 'x')).toBe(STRATEGIES_KO.probe.params.targetPct);
    expect(strategyText('en', probe).name).toBe(probe.name);
    expect(strategyText('en', probe).param('targetPct', 'Planned move')).toBe('Planned move');
    const unknown = { id: 'not-registered', name: 'N', description: 'D' };
    expect(strategyText('ko', unknown)).toMatchObject({ name: 'N', description: 'D' });
  });
});
