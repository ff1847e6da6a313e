/** Which fields of a class instance in module state are collections: pure, on inspector-shaped descriptors. */
import { instanceCollections, type FieldDescriptor } from '../instance-fields';

const map = (name: string): FieldDescriptor => ({ name, value: { type: 'object', subtype: 'map', objectId: `id-${name}` } });
const text = (name: string): FieldDescriptor => ({ name, value: { type: 'string', value: 'x' } });

test('no collection among the fields: the class is not looked up', () => {
  const classScript = jest.fn(() => '7');
  expect(instanceCollections([text('label')], classScript)).toBeNull();
  expect(classScript).not.toHaveBeenCalled();
});

test('a number among the fields (a capacity, a time to live) leaves the collections alone', () => {
  const classScript = jest.fn(() => '7');
  expect(instanceCollections([map('entries'), { name: 'max', value: { type: 'number', value: 100 } }], classScript)).toBeNull();
  expect(classScript).not.toHaveBeenCalled();
});

test("the Map, Set and array fields, as the class's script's", () => {
  const fields = [map('quotes'), { name: 'seen', value: { type: 'object', subtype: 'set', objectId: 's' } }, text('label')];
  expect(instanceCollections(fields, () => '7')).toEqual({
    scriptId: '7',
    fields: new Map([
      ['quotes', 'Map'],
      ['seen', 'Set'],
    ]),
  });
});

test("a plain object's field is a collection; another class's instance is not", () => {
  const fields: FieldDescriptor[] = [
    { name: 'byName', value: { type: 'object', className: 'Object', objectId: 'o' } },
    { name: 'client', value: { type: 'object', className: 'HttpClient', objectId: 'c' } },
  ];
  expect(instanceCollections(fields, () => '7')).toEqual({ scriptId: '7', fields: new Map([['byName', 'Object']]) });
});

test('no constructor found: nothing', () => {
  expect(instanceCollections([map('quotes')], () => null)).toBeNull();
});
