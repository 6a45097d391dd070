import { useTranslation } from 'react-i18next';
import type { ParamSchema, ParamValues } from '../api/types';
import { STRATEGIES_KO } from '../i18n/strategies-ko';

const inputClass = 'w-full rounded border border-slate-700 bg-slate-950 px-2 py-1 text-sm';

/** One input per parameter of a strategy's schema: a checkbox for booleans, a number box with its range otherwise. */
export function ParamFields(props: {
  schema: ParamSchema;
  values: ParamValues;
  onChange: (name: string, value: number | boolean) => void;
  /** Prefix of the inputs' ids and test ids (`<prefix>-<name>`). */
  idPrefix: string;
  /** The strategy whose schema this is: its parameter texts follow the chosen language. */
  strategyId?: string;
}) {
  const { i18n } = useTranslation();
  const ko = i18n.language.startsWith('ko') && props.strategyId ? STRATEGIES_KO[props.strategyId] : undefined;
  return (
    <>
      {Object.entries(props.schema.properties).map(([name, spec]) => {
        const id = `${props.idPrefix}-${name}`;
        const value = props.values[name];
        const description = ko?.params[name] ?? spec.description;
        return (
          <div key={name} className="grid grid-cols-[1fr_8rem] items-center gap-2 text-sm">
            <label htmlFor={id} title={description}>
              <span className="font-mono">{name}</span>
              {description && <span className="block text-xs text-slate-500">{description}</span>}
            </label>
            {spec.type === 'boolean' ? (
              <input
                id={id}
                type="checkbox"
                data-testid={id}
                checked={Boolean(value)}
                onChange={(e) => props.onChange(name, e.target.checked)}
                className="justify-self-end"
              />
            ) : (
              <input
                id={id}
                type="number"
                data-testid={id}
                min={spec.minimum}
                max={spec.maximum}
                step={spec.step ?? (spec.type === 'integer' ? 1 : 'any')}
                value={Number.isNaN(value) ? '' : String(value ?? '')}
                onChange={(e) => props.onChange(name, e.target.valueAsNumber)}
                className={`${inputClass} text-right font-mono`}
              />
            )}
          </div>
        );
      })}
    </>
  );
}
