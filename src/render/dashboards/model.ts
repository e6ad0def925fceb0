/**
 * The subset of Grafana's dashboard JSON model this writer produces. The test assigns a written
 * dashboard to `Dashboard` from @grafana/schema (types generated from Grafana's CUE schema), so
 * the compiler checks these shapes against Grafana's own.
 */
export interface DatasourceRef {
  type: string;
  uid: string;
}

/** A type alias, not an interface: Grafana types targets as Record<string, unknown>, which needs an implicit index signature. */
export type Target = {
  refId: string;
  datasource: DatasourceRef;
  expr: string;
  legendFormat?: string;
};

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Panel {
  id: number;
  type: 'stat' | 'timeseries' | 'row';
  title: string;
  gridPos: GridPos;
  datasource?: DatasourceRef;
  targets?: Target[];
  fieldConfig?: { defaults: { unit?: string; min?: number; max?: number }; overrides: never[] };
  options?: Record<string, unknown>;
  collapsed?: boolean;
  panels?: Panel[];
  description?: string;
}

export interface Variable {
  name: string;
  label?: string;
  type: 'datasource' | 'custom';
  query: string;
  current?: { text: string; value: string };
  options?: { text: string; value: string; selected: boolean }[];
}

export interface GrafanaDashboard {
  uid: string;
  title: string;
  description?: string;
  tags: string[];
  timezone: string;
  editable: boolean;
  schemaVersion: number;
  version: number;
  refresh: string;
  time: { from: string; to: string };
  templating: { list: Variable[] };
  annotations: {
    list: {
      name: string;
      datasource: DatasourceRef;
      enable: boolean;
      iconColor: string;
      expr: string;
      titleFormat?: string;
      step?: string;
    }[];
  };
  panels: Panel[];
}
