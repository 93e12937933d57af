/**
 * The front half of what happens to a panel query before it leaves the browser, reproduced from
 * the source of the versions docker-compose.yml runs (Grafana 12.2, grafana-clickhouse-datasource
 * 4.20), so the tests send ClickHouse exactly what a dashboard would:
 *
 * 1. the plugin's `applyConditionalAll` and `getMacroArgs` (grafana/clickhouse-datasource
 *    src/data/CHDatasource.ts): `$__conditionalAll(cond, $v)` becomes `1=1` when the variable's
 *    `current.value.toString()` is `''` or `$__all`, else `cond`;
 * 2. Grafana's template interpolation, with the plugin's `format` as the format of a bare `$v`
 *    (multi values joined as `'a','b'`, nothing escaped). Grafana 12 dashboards interpolate
 *    through Scenes (grafana/scenes packages/scenes/src/variables/interpolation/
 *    sceneInterpolator.ts and formatRegistry.ts, `VARIABLE_REGEX` in variables/constants.ts);
 *    the pre-Scenes path is grafana/grafana public/app/features/templating/formatRegistry.ts.
 *    `registry` picks one; they differ in `queryparam`, which Scenes builds from the variable's
 *    URL state with `urlUtil.toUrlParams` of @grafana/data 12.2 (packages/grafana-data/src/utils/url.ts).
 */

/**
 * A template variable's selection: All, its values, or one value held as a plain string (what a
 * multi-value variable keeps when a URL gives it a single value).
 */
export type VariableValue = { all: true; values?: never; value?: never } | { all?: false; values: string[]; value?: never } | { all?: false; value: string; values?: never };

/** Which of Grafana's two interpolation paths to follow. */
export type FormatRegistry = 'scenes' | 'legacy';

const ALL_VARIABLE_VALUE = '$__all';

/** Scenes `VARIABLE_REGEX`, the same as Grafana's `variableRegex`. */
const VARIABLE_REGEX = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?}/g;

/** CHDatasource.getMacroArgs: the arguments of the macro whose `(` is at `argsIndex`. */
function getMacroArgs(query: string, argsIndex: number): string[] {
  const args: string[] = [];
  const re = /\(|\)|,/g;
  let bracketCount = 0;
  let lastArgEndIndex = 1;
  let found: RegExpExecArray | null;
  const argsSubstr = query.substring(argsIndex, query.length);
  while ((found = re.exec(argsSubstr)) !== null) {
    const node = found[0];
    if (node === '(') bracketCount++;
    else if (node === ')') bracketCount--;
    if (node === ',' && bracketCount === 1) {
      args.push(argsSubstr.substring(lastArgEndIndex, re.lastIndex - 1));
      lastArgEndIndex = re.lastIndex;
    }
    if (bracketCount === 0) {
      args.push(argsSubstr.substring(lastArgEndIndex, re.lastIndex - 1));
      return args;
    }
  }
  return [];
}

/** The variable's `current.value` (Scenes: `state.value`). */
const currentValue = (v: VariableValue): string | string[] => (v.all ? [ALL_VARIABLE_VALUE] : (v.values ?? v.value!));

/** CHDatasource.applyConditionalAll. */
export function applyConditionalAll(rawQuery: string, variables: Record<string, VariableValue>): string {
  const macro = '$__conditionalAll(';
  let macroIndex = rawQuery.lastIndexOf(macro);
  while (macroIndex !== -1) {
    const params = getMacroArgs(rawQuery, macroIndex + macro.length - 1);
    if (params.length !== 2) return rawQuery;
    const templateVar = /(?<=\$\{)[\w\d]+(?=\})|(?<=\$)[\w\d]+/.exec(params[1]!.trim());
    let phrase = params[0]!;
    if (templateVar) {
      const variable = variables[templateVar[0]];
      const value = variable === undefined ? undefined : currentValue(variable).toString();
      if (value === '' || value === ALL_VARIABLE_VALUE) phrase = '1=1';
    }
    // A string pattern, as in the plugin: `$'`, `$&` in `phrase` would be replacement patterns.
    rawQuery = rawQuery.replace(`${macro}${params[0]},${params[1]})`, phrase);
    macroIndex = rawQuery.lastIndexOf(macro);
  }
  return rawQuery;
}

/** RFC 3986 encoding of both registries (`encodeURIComponentStrict`). */
const encodeURIComponentStrict = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** @grafana/data 12.2 url.ts `encodeURIComponentAsAngularJS(val, true)`: leaves `@ : $ , ;` as they are (spaces stay `%20`). */
const encodeAsAngularJS = (s: string): string =>
  encodeURIComponent(s)
    .replace(/%40/gi, '@')
    .replace(/%3A/gi, ':')
    .replace(/%24/g, '$')
    .replace(/%2C/gi, ',')
    .replace(/%3B/gi, ';')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

type Formatter = (value: string | string[], name: string, selection: VariableValue) => string;

const singleQuote: Formatter = (value) => (Array.isArray(value) ? value.map((v) => `'${v.replace(/'/g, "\\'")}'`).join(',') : `'${value.replace(/'/g, "\\'")}'`);
const csv: Formatter = (value) => (Array.isArray(value) ? value.join(',') : value);
const percentEncode: Formatter = (value) => encodeURIComponentStrict(Array.isArray(value) ? `{${value.join(',')}}` : value);
const legacyQueryParam: Formatter = (value, name) => (Array.isArray(value) ? value : [value]).map((v) => `var-${name}=${encodeURIComponentStrict(v)}`).join('&');
/**
 * Scenes: `urlUtil.toUrlParams(variable.urlSync.getUrlState())`; `MultiValueUrlSyncHandler`
 * gives a multi-value variable's `state.value` as an array of strings.
 */
const scenesQueryParam: Formatter = (_value, name, selection) =>
  [currentValue(selection)]
    .flat()
    .map((v) => `${encodeAsAngularJS(`var-${name}`)}=${encodeAsAngularJS(v)}`)
    .join('&');

const FORMATS: Record<FormatRegistry, Record<string, Formatter>> = {
  scenes: { singlequote: singleQuote, csv, percentencode: percentEncode, queryparam: scenesQueryParam },
  legacy: { singlequote: singleQuote, csv, percentencode: percentEncode, queryparam: legacyQueryParam },
};

/** CHDatasource.format, the default of a bare `$v`. */
const pluginFormat = (value: string | string[]): string => (Array.isArray(value) ? `'${value.join("','")}'` : value);

/**
 * Grafana's interpolation of every `$v`, `${v}`, `${v:format}` and `[[v]]` naming one of
 * `variables`; a name that is not a variable stays as written, as in Grafana (the plugin's
 * backend macros are such names). The replacement is one pass: a value is never re-read.
 */
export function interpolateVariables(sql: string, variables: Record<string, VariableValue>, allValues: Record<string, string[]>, registry: FormatRegistry): string {
  return sql.replace(VARIABLE_REGEX, (match: string, var1?: string, var2?: string, fmt2?: string, var3?: string, fieldPath?: string, fmt3?: string) => {
    const name = (var1 ?? var2 ?? var3)!;
    const selection = variables[name];
    if (selection === undefined) return match;
    if (fieldPath !== undefined) throw new Error(`field paths (${match}) are not modelled`);
    // MultiValueVariable.getValue: All stands for every option's value.
    const value = selection.all ? (allValues[name] ?? []) : currentValue(selection);
    const format = fmt2 ?? fmt3;
    if (format === undefined) return pluginFormat(value);
    const formatter = FORMATS[registry][format];
    if (formatter === undefined) throw new Error(`variable format ${format} is not modelled`);
    return formatter(value, name, selection);
  });
}
