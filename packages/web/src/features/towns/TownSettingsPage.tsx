import { BudgetForm } from '../budget/BudgetForm.js';
import { KeysPanel } from '../keys/KeysPanel.js';
import { TownHeader } from './TownHeader.js';
import './towns.css';

/** A town's settings (owners and admins change them): its budget, and its keys for exporters and Prometheus. */
export function TownSettingsPage({ townId }: { townId: string }) {
  return (
    <>
      <TownHeader townId={townId} tab="settings" />
      <div className="town-settings">
        <BudgetForm townId={townId} />
        <KeysPanel townId={townId} />
      </div>
    </>
  );
}
