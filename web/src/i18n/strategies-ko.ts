// Korean names and descriptions of the strategies and their parameters. The server sends them in English (the
// strategy registry in core/strategy is their source); with Korean chosen, the dashboard shows these instead.
// `strategies-ko.test.ts` checks that every registered strategy and every described parameter has its text here.
import { useTranslation } from 'react-i18next';

export interface StrategyText {
  name: string;
  description: string;
  params: Record<string, string>;
}

// The six-factor score shared by the scoring strategies.
const factorWeights: Record<string, string> = {
  entryThreshold: '진입에 필요한 종합 점수',
  wTrend: '상위 시간봉 추세 요인의 가중치',
  wMomentum: '모멘텀 요인의 가중치',
  wVolatility: '변동성 밴드 요인의 가중치',
  wVolume: '거래량 요인의 가중치',
  wCorrelation: 'BTC 상관관계 요인의 가중치',
  wRegime: '레짐(Hurst) 요인의 가중치',
  volLowPct: '이보다 낮으면 너무 조용한 시장으로 보는 ATR(가격 대비 %)',
  volHighPct: '이보다 높으면 너무 거친 시장으로 보는 ATR(가격 대비 %)',
};

export const STRATEGIES_KO: Record<string, StrategyText> = {
  pullback: {
    name: '멀티 팩터 눌림목',
    description:
      '60분봉 상승 추세 안에서 15분봉이 EMA21 아래로 눌렸다가 회복하고 RSI가 과매도에서 돌아올 때, 거래량과 6요인 점수로 확인해 매수합니다.',
    params: {
      trendMin: '진입에 필요한 60분봉 추세 요인',
      dipLookback: 'EMA21 아래로 눌림이 있었어야 하는 최근 15분봉 수',
      oversoldRsi: '과매도로 보는 RSI 수준',
      recoverRsiMax: 'RSI가 과매도선과 이 값 사이로 회복해야 함',
      rsiLookback: 'RSI가 과매도였어야 하는 최근 15분봉 수',
      fastRsi: '과매도·회복 판단에 RSI14 대신 RSI7 사용',
      volumeMin: '진입 봉 거래량 / 최근 20봉 평균',
      confirm5m: '5분봉 종가가 EMA21 위에 있는지도 확인 (5분봉이 있을 때)',
      ...factorWeights,
    },
  },
  breakout: {
    name: '변동성 돌파',
    description: '가격이 오늘 시가 + k × 전일 변동폭을 넘고 5일 평균 위에 있을 때 매수하고, 다음 날 시가에 매도합니다.',
    params: {
      k: '오늘 시가 위로 넘어야 하는 전일 변동폭의 비율',
      minRangePct: '전일 변동폭이 종가의 이 % 미만인 날은 건너뜀',
      trendFilter: '마지막 일봉 종가가 5일 평균 위일 때만',
      exitNextDay: '다음 날 시가에 매도 (고전 방식); 끄면 청산 계획만 매도',
      ...factorWeights,
    },
  },
  'dual-momentum': {
    name: '듀얼 모멘텀',
    description: '기간 수익률이 양수이고 KRW-BTC보다 높은 코인을 보유하고, 둘 중 하나라도 어긋나면 나옵니다.',
    params: {
      lookbackDays: '수익률을 비교하는 기간(일)',
      absMinPct: '코인에 필요한 기간 수익률(%) (절대 모멘텀)',
      relMarginPct: '코인 수익률이 기준 수익률을 앞서야 하는 %포인트',
      ...factorWeights,
    },
  },
  'rsi-reversion': {
    name: 'RSI 역추세',
    description: '강한 하락 추세가 아닐 때 볼린저 밴드 하단의 과매도 15분봉을 매수하고, 밴드 중앙을 목표로 합니다.',
    params: {
      oversoldRsi: '이보다 낮으면 과매도 봉으로 보는 RSI14',
      exitRsi: '포지션을 닫는 RSI14',
      bandTouchPct: '하단 밴드 위로 몇 %까지를 밴드 터치로 볼지',
      maxDownTrend: '60분봉 추세 요인이 이 값의 마이너스보다 낮으면 건너뜀',
      ...factorWeights,
    },
  },
  rsi: {
    name: 'RSI',
    description: '60분봉 RSI14가 30 아래면 매수, 70 위면 매도합니다. 롱 전용이며 다른 규칙은 없습니다.',
    params: {
      period: 'RSI 기간(봉 수) (특성 엔진은 RSI14만 계산)',
      oversold: '이보다 낮으면 매수하는 RSI',
      overbought: '이보다 높으면 매도하는 RSI',
    },
  },
  ensemble: {
    name: '6신호 앙상블',
    description:
      '15분봉에서 추세, 모멘텀, 이동평균 스윙, 스캘핑 움직임, 당일 변화, 돌파 신호의 가중 투표로 매매합니다.',
    params: {
      wTrend: '추세 신호(종가 대 60분봉 EMA50)의 가중치',
      wMomentum: 'n봉 모멘텀 신호의 가중치',
      wSwing: '5/20 이동평균 스윙 신호의 가중치',
      wScalp: '직전 봉 스캘핑 움직임 신호의 가중치',
      wIntraday: '당일 변화 신호의 가중치',
      wBreakout: '고가/저가 돌파 신호의 가중치',
      momentumBars: '모멘텀 신호의 봉 수',
      scalpPct: '스캘핑 신호로 치는 직전 봉 움직임(%)',
      breakoutBars: '종가가 돌파해야 하는 고가/저가의 봉 수',
      buyThreshold: '매수하는 가중 투표 값',
      sellThreshold: '매도하는 가중 투표 값',
    },
  },
  probe: {
    name: '프로브 (데모)',
    description:
      '직전 1분봉이 양봉으로 마감한 마켓을 매수합니다. 신호, 리스크, 주문, 청산을 처음부터 끝까지 점검하는 용도입니다.',
    params: {
      targetPct: '첫 목표까지 계획한 움직임(%)',
    },
  },
};

/** A strategy's name, description and parameter texts in the chosen language (the server's English otherwise). */
export function strategyText(
  language: string,
  strategy: { id: string; name: string; description: string },
): { name: string; description: string; param: (name: string, fallback?: string) => string | undefined } {
  const ko = language.startsWith('ko') ? STRATEGIES_KO[strategy.id] : undefined;
  return {
    name: ko?.name ?? strategy.name,
    description: ko?.description ?? strategy.description,
    param: (name, fallback) => ko?.params[name] ?? fallback,
  };
}

/** `strategyText` in the language the dashboard shows now. */
export function useStrategyText() {
  const { i18n } = useTranslation();
  return (strategy: { id: string; name: string; description: string }) => strategyText(i18n.language, strategy);
}
