import type { Budget } from '../../api/billing.js';
import { budgetLine } from './budget.js';

const LOCAL_TZ = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The town's spending cap for the period, under the gauges: what was spent of it, as text and as a bar. */
export function BudgetBar({ budget, now }: { budget: Budget; now: number }) {
  const line = budgetLine(budget, now, LOCAL_TZ);
  return (
    <section className={`budget card tone-${line.tone}`} aria-label="Budget">
      <div className="budget-head">
        <p className="budget-text">{line.text}</p>
        {line.flag && <span className="badge budget-flag">{line.flag}</span>}
        <span className="muted small budget-detail">{line.detail}</span>
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: a native <meter> paints its own green, yellow and red (not the theme's) and cannot show the 80 % mark */}
      <div
        className="budget-bar"
        role="meter"
        aria-label="Budget used"
        aria-valuemin={0}
        aria-valuemax={budget.capMicrodollars}
        aria-valuenow={Math.min(budget.spentMicrodollars, budget.capMicrodollars)}
        aria-valuetext={line.flag ? `${line.text}, ${line.flag}` : line.text}
      >
        <span className="budget-fill" style={{ width: `${Math.min(1, line.fraction) * 100}%` }} />
        <span className="budget-mark" style={{ left: '80%' }} aria-hidden="true" />
      </div>
    </section>
  );
}
