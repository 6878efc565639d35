import type { AlertType } from '@vigil/contracts';
import { cancellationRateRule } from './cancellation-rate.rule';
import { layeringRule } from './layering.rule';
import { markingTheCloseRule } from './marking-the-close.rule';
import { momentumIgnitionRule } from './momentum-ignition.rule';
import { orderToTradeRatioRule } from './order-to-trade-ratio.rule';
import { quoteStuffingRule } from './quote-stuffing.rule';
import type { Rule } from './rule';
import { spoofingRule } from './spoofing.rule';
import { washTradeRule } from './wash-trade.rule';

/** Every implemented rule, by alert type: a new rule is its file plus one line here. */
export const RULES: Partial<Record<AlertType, Rule<never>>> = {
  WASH_TRADE: washTradeRule as Rule<never>,
  ORDER_TO_TRADE_RATIO: orderToTradeRatioRule as Rule<never>,
  CANCELLATION_RATE: cancellationRateRule as Rule<never>,
  QUOTE_STUFFING: quoteStuffingRule as Rule<never>,
  SPOOFING: spoofingRule as Rule<never>,
  MARKING_THE_CLOSE: markingTheCloseRule as Rule<never>,
  MOMENTUM_IGNITION: momentumIgnitionRule as Rule<never>,
  LAYERING: layeringRule as Rule<never>,
};

/** The implementation of a configured rule (the rule file is checked against RULES when it loads). */
export function ruleOf(type: AlertType): Rule<never> {
  const rule = RULES[type];
  if (!rule) throw new Error(`rule type ${type} has no implementation; the rule file check should have refused it`);
  return rule;
}
