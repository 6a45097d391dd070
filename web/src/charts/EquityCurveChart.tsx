// The overview's equity curve (a lazy chunk: ECharts loads only when the curve is drawn).
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Overview } from '../api/types';
import { formatKrw, formatTime } from '../format';
import { type ChartOption, EChart } from './EChart';

export default function EquityCurveChart(props: { curve: Overview['curve'] }) {
  const { t } = useTranslation();
  const option = useMemo<ChartOption>(
    () => ({
      grid: { left: 90, right: 20, top: 20, bottom: 40 },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: unknown) => formatKrw(v as number),
        axisPointer: { label: { formatter: (p: { value: unknown }) => formatTime(p.value as number) } },
      },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', scale: true, axisLabel: { formatter: (v: number) => formatKrw(v) } },
      series: [
        {
          name: t('overview.equity'),
          type: 'line',
          showSymbol: props.curve.length < 3,
          data: props.curve.map((p) => [p.ts, Number(p.equityKrw)]),
          lineStyle: { width: 1.5 },
          areaStyle: { opacity: 0.08 },
        },
      ],
    }),
    // `t` changes with the language, which the formatters follow.
    [props.curve, t],
  );
  return <EChart option={option} height={240} testId="equity-curve" />;
}
