import { BudgetForm } from '../budget/BudgetForm.js';
import { KeysPanel } from '../keys/KeysPanel.js';
import { StoragePanel } from './StoragePanel.js';
import { TownHeader } from './TownHeader.js';
import './towns.css';

/** A town's settings (owners and admins change them): its budget, its keys for exporters and Prometheus, and its storage use. */
export function TownSettingsPage({ townId }: { townId: string }) {
  return (
    <>
      <TownHeader townId={townId} tab="settings" />
      <div className="town-settings">
        <BudgetForm townId={townId} />
        <KeysPanel townId={townId} />
        <StoragePanel townId={townId} />
      </div>
    </>
  );
}
