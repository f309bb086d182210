/**
 * A group of checkboxes or radio buttons: the legend, a hint under it, the choices (`children`, laid out by
 * `layout`) and the group's error. The hint and the error (`${id}-hint`, `${id}-error`) describe the group; with
 * `markInvalid` an error also marks it invalid.
 */
export function ChoiceGroup({
  id,
  legend,
  hint,
  error,
  markInvalid = false,
  layout,
  children,
}: {
  id: string;
  legend: string;
  hint?: React.ReactNode;
  error?: string;
  markInvalid?: boolean;
  layout: string;
  children: React.ReactNode;
}) {
  const describedBy = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <fieldset aria-describedby={describedBy || undefined} aria-invalid={markInvalid && error ? true : undefined}>
      <legend className="text-sm font-medium text-slate-800">{legend}</legend>
      {hint && (
        <p id={`${id}-hint`} className="mt-0.5 text-sm text-slate-600">
          {hint}
        </p>
      )}
      <div className={layout}>{children}</div>
      {error && (
        <p id={`${id}-error`} className="mt-1 text-sm font-medium text-red-700">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/**
 * One checkbox of a `ChoiceGroup`, inside its label: `children` is the text after the box. `invalid` marks just
 * this box invalid.
 */
function CheckboxChoice({
  name,
  value,
  defaultChecked,
  invalid = false,
  className,
  boxClassName = "size-4 accent-slate-900",
  children,
}: {
  name: string;
  value: string;
  defaultChecked: boolean;
  invalid?: boolean;
  className: string;
  boxClassName?: string;
  children: React.ReactNode;
}) {
  return (
    <label className={className}>
      <input
        type="checkbox"
        name={name}
        value={value}
        defaultChecked={defaultChecked}
        aria-invalid={invalid ? true : undefined}
        className={boxClassName}
      />
      {children}
    </label>
  );
}

/** One box of a `CheckboxGroup`: its value, the words beside it, and whether it alone is marked invalid. */
export type Checkbox = { value: string; label: React.ReactNode; invalid?: boolean };

/**
 * A `ChoiceGroup` of checkboxes for one form field (`name`): a box for each of `boxes`, ticked at first when `checked`
 * holds its value. `boxLayout` and `boxClassName` style each box's label and the box itself.
 */
export function CheckboxGroup({
  name,
  boxes,
  checked,
  boxLayout,
  boxClassName,
  ...group
}: Omit<Parameters<typeof ChoiceGroup>[0], "children"> & {
  name: string;
  boxes: readonly Checkbox[];
  checked: ReadonlySet<string>;
  boxLayout: string;
  boxClassName?: string;
}) {
  return (
    <ChoiceGroup {...group}>
      {boxes.map((box) => (
        <CheckboxChoice
          key={box.value}
          name={name}
          value={box.value}
          defaultChecked={checked.has(box.value)}
          invalid={box.invalid}
          className={boxLayout}
          boxClassName={boxClassName}
        >
          {box.label}
        </CheckboxChoice>
      ))}
    </ChoiceGroup>
  );
}
