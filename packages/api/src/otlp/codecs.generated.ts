// @ts-nocheck -- generated JavaScript: protobufjs codegen output for descriptor.ts.
// Do not edit: `npm run gen:otlp` writes it; codecs.test.ts fails when it is stale.
export const codecs = {
  ".AnyValue": {
    ctor: function (p){
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.stringValue!=null&&Object.hasOwnProperty.call(m,"stringValue"))
  w.uint32(10).string(m.stringValue)
  if(m.boolValue!=null&&Object.hasOwnProperty.call(m,"boolValue"))
  w.uint32(16).bool(m.boolValue)
  if(m.intValue!=null&&Object.hasOwnProperty.call(m,"intValue"))
  w.uint32(24).int64(m.intValue)
  if(m.doubleValue!=null&&Object.hasOwnProperty.call(m,"doubleValue"))
  w.uint32(33).double(m.doubleValue)
  if(m.arrayValue!=null&&Object.hasOwnProperty.call(m,"arrayValue"))
  types[4].encode(m.arrayValue,w.uint32(42).fork(),q+1).ldelim()
  if(m.kvlistValue!=null&&Object.hasOwnProperty.call(m,"kvlistValue"))
  types[5].encode(m.kvlistValue,w.uint32(50).fork(),q+1).ldelim()
  if(m.bytesValue!=null&&Object.hasOwnProperty.call(m,"bytesValue"))
  w.uint32(58).bytes(m.bytesValue)
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:{
  if(u!==2)
  break
  m.stringValue=r.stringVerify()
  m.value="stringValue"
  continue
  }
  case 2:{
  if(u!==0)
  break
  m.boolValue=r.bool()
  m.value="boolValue"
  continue
  }
  case 3:{
  if(u!==0)
  break
  m.intValue=r.int64()
  m.value="intValue"
  continue
  }
  case 4:{
  if(u!==1)
  break
  m.doubleValue=r.double()
  m.value="doubleValue"
  continue
  }
  case 5:{
  if(u!==2)
  break
  m.arrayValue=types[4].decode(r,r.size(),undefined,q+1,m.arrayValue)
  m.value="arrayValue"
  continue
  }
  case 6:{
  if(u!==2)
  break
  m.kvlistValue=types[5].decode(r,r.size(),undefined,q+1,m.kvlistValue)
  m.value="kvlistValue"
  continue
  }
  case 7:{
  if(u!==2)
  break
  m.bytesValue=r.bytes()
  m.value="bytesValue"
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  var p={}
  if(m.stringValue!=null&&Object.hasOwnProperty.call(m,"stringValue")){
  p.value=1
  if(!util.isString(m.stringValue))
  return"stringValue: string expected"
  }
  if(m.boolValue!=null&&Object.hasOwnProperty.call(m,"boolValue")){
  if(p.value===1)
  return"value: multiple values"
  p.value=1
  if(typeof m.boolValue!=="boolean")
  return"boolValue: boolean expected"
  }
  if(m.intValue!=null&&Object.hasOwnProperty.call(m,"intValue")){
  if(p.value===1)
  return"value: multiple values"
  p.value=1
  if(!util.isInteger(m.intValue)&&!(m.intValue&&util.isInteger(m.intValue.low)&&util.isInteger(m.intValue.high)))
  return"intValue: integer|Long expected"
  }
  if(m.doubleValue!=null&&Object.hasOwnProperty.call(m,"doubleValue")){
  if(p.value===1)
  return"value: multiple values"
  p.value=1
  if(typeof m.doubleValue!=="number")
  return"doubleValue: number expected"
  }
  if(m.arrayValue!=null&&Object.hasOwnProperty.call(m,"arrayValue")){
  if(p.value===1)
  return"value: multiple values"
  p.value=1
  {
  var e=types[4].verify(m.arrayValue,q+1);
  if(e)
  return"arrayValue."+e
  }
  }
  if(m.kvlistValue!=null&&Object.hasOwnProperty.call(m,"kvlistValue")){
  if(p.value===1)
  return"value: multiple values"
  p.value=1
  {
  var e=types[5].verify(m.kvlistValue,q+1);
  if(e)
  return"kvlistValue."+e
  }
  }
  if(m.bytesValue!=null&&Object.hasOwnProperty.call(m,"bytesValue")){
  if(p.value===1)
  return"value: multiple values"
  p.value=1
  if(!(m.bytesValue&&typeof m.bytesValue.length==="number"||util.isString(m.bytesValue)))
  return"bytesValue: buffer expected"
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".AnyValue: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.stringValue!=null){
  m.stringValue=String(d.stringValue)
  }
  if(d.boolValue!=null){
  m.boolValue=Boolean(d.boolValue)
  }
  if(d.intValue!=null){
  if(util.Long)
  m.intValue=util.Long.fromValue(d.intValue,false)
  else if(typeof d.intValue==="string")
  m.intValue=parseInt(d.intValue,10)
  else if(typeof d.intValue==="number")
  m.intValue=d.intValue
  else if(typeof d.intValue==="object")
  m.intValue=new util.LongBits(d.intValue.low>>>0,d.intValue.high>>>0).toNumber()
  }
  if(d.doubleValue!=null){
  m.doubleValue=Number(d.doubleValue)
  }
  if(d.arrayValue!=null){
  if(!util.isObject(d.arrayValue))
  throw TypeError(".AnyValue.arrayValue: object expected")
  m.arrayValue=types[4].fromObject(d.arrayValue,q+1)
  }
  if(d.kvlistValue!=null){
  if(!util.isObject(d.kvlistValue))
  throw TypeError(".AnyValue.kvlistValue: object expected")
  m.kvlistValue=types[5].fromObject(d.kvlistValue,q+1)
  }
  if(d.bytesValue!=null){
  if(typeof d.bytesValue==="string")
  util.base64.decode(d.bytesValue,m.bytesValue=util.newBuffer(util.base64.length(d.bytesValue)),0)
  else if(d.bytesValue.length>=0)
  m.bytesValue=d.bytesValue
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(m.stringValue!=null&&Object.hasOwnProperty.call(m,"stringValue")){
  d.stringValue=m.stringValue
  if(o.oneofs)
  d.value="stringValue"
  }
  if(m.boolValue!=null&&Object.hasOwnProperty.call(m,"boolValue")){
  d.boolValue=m.boolValue
  if(o.oneofs)
  d.value="boolValue"
  }
  if(m.intValue!=null&&Object.hasOwnProperty.call(m,"intValue")){
  if(typeof BigInt!=="undefined"&&o.longs===BigInt)
  d.intValue=typeof m.intValue==="number"?BigInt(m.intValue):util.Long.fromBits(m.intValue.low>>>0,m.intValue.high>>>0,false).toBigInt()
  else if(typeof m.intValue==="number")
  d.intValue=o.longs===String?String(m.intValue):m.intValue
  else
  d.intValue=o.longs===String?util.Long.prototype.toString.call(m.intValue):o.longs===Number?new util.LongBits(m.intValue.low>>>0,m.intValue.high>>>0).toNumber():m.intValue
  if(o.oneofs)
  d.value="intValue"
  }
  if(m.doubleValue!=null&&Object.hasOwnProperty.call(m,"doubleValue")){
  d.doubleValue=o.json&&!isFinite(m.doubleValue)?String(m.doubleValue):m.doubleValue
  if(o.oneofs)
  d.value="doubleValue"
  }
  if(m.arrayValue!=null&&Object.hasOwnProperty.call(m,"arrayValue")){
  d.arrayValue=types[4].toObject(m.arrayValue,o,q+1)
  if(o.oneofs)
  d.value="arrayValue"
  }
  if(m.kvlistValue!=null&&Object.hasOwnProperty.call(m,"kvlistValue")){
  d.kvlistValue=types[5].toObject(m.kvlistValue,o,q+1)
  if(o.oneofs)
  d.value="kvlistValue"
  }
  if(m.bytesValue!=null&&Object.hasOwnProperty.call(m,"bytesValue")){
  d.bytesValue=o.bytes===String?util.base64.encode(m.bytesValue,0,m.bytesValue.length):o.bytes===Array?Array.prototype.slice.call(m.bytesValue):m.bytesValue
  if(o.oneofs)
  d.value="bytesValue"
  }
  return d
},
  },
  ".ArrayValue": {
    ctor: function (p){
  this.values=[]
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.values!=null&&m.values.length){
  for(var i=0;i<m.values.length;++i)
  types[0].encode(m.values[i],w.uint32(10).fork(),q+1).ldelim()
  }
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:
  {
  if(u!==2)
  break
  if(!(m.values&&m.values.length))
  m.values=[]
  m.values.push(types[0].decode(r,r.size(),undefined,q+1))
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.values!=null&&Object.hasOwnProperty.call(m,"values")){
  if(!Array.isArray(m.values))
  return"values: array expected"
  for(var i=0;i<m.values.length;++i){
  {
  var e=types[0].verify(m.values[i],q+1);
  if(e)
  return"values."+e
  }
  }
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".ArrayValue: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.values){
  if(!Array.isArray(d.values))
  throw TypeError(".ArrayValue.values: array expected")
  m.values=Array(d.values.length)
  for(var i=0;i<d.values.length;++i){
  if(!util.isObject(d.values[i]))
  throw TypeError(".ArrayValue.values: object expected")
  m.values[i]=types[0].fromObject(d.values[i],q+1)
  }
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.arrays||o.defaults){
  d.values=[]
  }
  if(m.values&&m.values.length){
  d.values=Array(m.values.length)
  for(var j=0;j<m.values.length;++j){
  d.values[j]=types[0].toObject(m.values[j],o,q+1)
  }
  }
  return d
},
  },
  ".KeyValueList": {
    ctor: function (p){
  this.values=[]
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.values!=null&&m.values.length){
  for(var i=0;i<m.values.length;++i)
  types[0].encode(m.values[i],w.uint32(10).fork(),q+1).ldelim()
  }
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:
  {
  if(u!==2)
  break
  if(!(m.values&&m.values.length))
  m.values=[]
  m.values.push(types[0].decode(r,r.size(),undefined,q+1))
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.values!=null&&Object.hasOwnProperty.call(m,"values")){
  if(!Array.isArray(m.values))
  return"values: array expected"
  for(var i=0;i<m.values.length;++i){
  {
  var e=types[0].verify(m.values[i],q+1);
  if(e)
  return"values."+e
  }
  }
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".KeyValueList: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.values){
  if(!Array.isArray(d.values))
  throw TypeError(".KeyValueList.values: array expected")
  m.values=Array(d.values.length)
  for(var i=0;i<d.values.length;++i){
  if(!util.isObject(d.values[i]))
  throw TypeError(".KeyValueList.values: object expected")
  m.values[i]=types[0].fromObject(d.values[i],q+1)
  }
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.arrays||o.defaults){
  d.values=[]
  }
  if(m.values&&m.values.length){
  d.values=Array(m.values.length)
  for(var j=0;j<m.values.length;++j){
  d.values[j]=types[0].toObject(m.values[j],o,q+1)
  }
  }
  return d
},
  },
  ".KeyValue": {
    ctor: function (p){
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.key!=null&&Object.hasOwnProperty.call(m,"key")&&m.key!=="")
  w.uint32(10).string(m.key)
  if(m.value!=null&&Object.hasOwnProperty.call(m,"value"))
  types[1].encode(m.value,w.uint32(18).fork(),q+1).ldelim()
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m,v
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:{
  if(u!==2)
  break
  if((v=r.stringVerify()).length)
  m.key=v
  else
  delete m.key
  continue
  }
  case 2:{
  if(u!==2)
  break
  m.value=types[1].decode(r,r.size(),undefined,q+1,m.value)
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.key!=null&&Object.hasOwnProperty.call(m,"key")){
  if(!util.isString(m.key))
  return"key: string expected"
  }
  if(m.value!=null&&Object.hasOwnProperty.call(m,"value")){
  {
  var e=types[1].verify(m.value,q+1);
  if(e)
  return"value."+e
  }
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".KeyValue: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.key!=null){
  if(typeof d.key!=="string"||d.key.length){
  m.key=String(d.key)
  }
  }
  if(d.value!=null){
  if(!util.isObject(d.value))
  throw TypeError(".KeyValue.value: object expected")
  m.value=types[1].fromObject(d.value,q+1)
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.defaults){
  d.key=""
  d.value=null
  }
  if(m.key!=null&&Object.hasOwnProperty.call(m,"key")){
  d.key=m.key
  }
  if(m.value!=null&&Object.hasOwnProperty.call(m,"value")){
  d.value=types[1].toObject(m.value,o,q+1)
  }
  return d
},
  },
  ".InstrumentationScope": {
    ctor: function (p){
  this.attributes=[]
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.name!=null&&Object.hasOwnProperty.call(m,"name")&&m.name!=="")
  w.uint32(10).string(m.name)
  if(m.version!=null&&Object.hasOwnProperty.call(m,"version")&&m.version!=="")
  w.uint32(18).string(m.version)
  if(m.attributes!=null&&m.attributes.length){
  for(var i=0;i<m.attributes.length;++i)
  types[2].encode(m.attributes[i],w.uint32(26).fork(),q+1).ldelim()
  }
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m,v
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:{
  if(u!==2)
  break
  if((v=r.stringVerify()).length)
  m.name=v
  else
  delete m.name
  continue
  }
  case 2:{
  if(u!==2)
  break
  if((v=r.stringVerify()).length)
  m.version=v
  else
  delete m.version
  continue
  }
  case 3:
  {
  if(u!==2)
  break
  if(!(m.attributes&&m.attributes.length))
  m.attributes=[]
  m.attributes.push(types[2].decode(r,r.size(),undefined,q+1))
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.name!=null&&Object.hasOwnProperty.call(m,"name")){
  if(!util.isString(m.name))
  return"name: string expected"
  }
  if(m.version!=null&&Object.hasOwnProperty.call(m,"version")){
  if(!util.isString(m.version))
  return"version: string expected"
  }
  if(m.attributes!=null&&Object.hasOwnProperty.call(m,"attributes")){
  if(!Array.isArray(m.attributes))
  return"attributes: array expected"
  for(var i=0;i<m.attributes.length;++i){
  {
  var e=types[2].verify(m.attributes[i],q+1);
  if(e)
  return"attributes."+e
  }
  }
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".InstrumentationScope: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.name!=null){
  if(typeof d.name!=="string"||d.name.length){
  m.name=String(d.name)
  }
  }
  if(d.version!=null){
  if(typeof d.version!=="string"||d.version.length){
  m.version=String(d.version)
  }
  }
  if(d.attributes){
  if(!Array.isArray(d.attributes))
  throw TypeError(".InstrumentationScope.attributes: array expected")
  m.attributes=Array(d.attributes.length)
  for(var i=0;i<d.attributes.length;++i){
  if(!util.isObject(d.attributes[i]))
  throw TypeError(".InstrumentationScope.attributes: object expected")
  m.attributes[i]=types[2].fromObject(d.attributes[i],q+1)
  }
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.arrays||o.defaults){
  d.attributes=[]
  }
  if(o.defaults){
  d.name=""
  d.version=""
  }
  if(m.name!=null&&Object.hasOwnProperty.call(m,"name")){
  d.name=m.name
  }
  if(m.version!=null&&Object.hasOwnProperty.call(m,"version")){
  d.version=m.version
  }
  if(m.attributes&&m.attributes.length){
  d.attributes=Array(m.attributes.length)
  for(var j=0;j<m.attributes.length;++j){
  d.attributes[j]=types[2].toObject(m.attributes[j],o,q+1)
  }
  }
  return d
},
  },
  ".Resource": {
    ctor: function (p){
  this.attributes=[]
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.attributes!=null&&m.attributes.length){
  for(var i=0;i<m.attributes.length;++i)
  types[0].encode(m.attributes[i],w.uint32(10).fork(),q+1).ldelim()
  }
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:
  {
  if(u!==2)
  break
  if(!(m.attributes&&m.attributes.length))
  m.attributes=[]
  m.attributes.push(types[0].decode(r,r.size(),undefined,q+1))
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.attributes!=null&&Object.hasOwnProperty.call(m,"attributes")){
  if(!Array.isArray(m.attributes))
  return"attributes: array expected"
  for(var i=0;i<m.attributes.length;++i){
  {
  var e=types[0].verify(m.attributes[i],q+1);
  if(e)
  return"attributes."+e
  }
  }
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".Resource: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.attributes){
  if(!Array.isArray(d.attributes))
  throw TypeError(".Resource.attributes: array expected")
  m.attributes=Array(d.attributes.length)
  for(var i=0;i<d.attributes.length;++i){
  if(!util.isObject(d.attributes[i]))
  throw TypeError(".Resource.attributes: object expected")
  m.attributes[i]=types[0].fromObject(d.attributes[i],q+1)
  }
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.arrays||o.defaults){
  d.attributes=[]
  }
  if(m.attributes&&m.attributes.length){
  d.attributes=Array(m.attributes.length)
  for(var j=0;j<m.attributes.length;++j){
  d.attributes[j]=types[0].toObject(m.attributes[j],o,q+1)
  }
  }
  return d
},
  },
  ".ExportMetricsServiceRequest": {
    ctor: function (p){
  this.resourceMetrics=[]
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.resourceMetrics!=null&&m.resourceMetrics.length){
  for(var i=0;i<m.resourceMetrics.length;++i)
  types[0].encode(m.resourceMetrics[i],w.uint32(10).fork(),q+1).ldelim()
  }
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:
  {
  if(u!==2)
  break
  if(!(m.resourceMetrics&&m.resourceMetrics.length))
  m.resourceMetrics=[]
  m.resourceMetrics.push(types[0].decode(r,r.size(),undefined,q+1))
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.resourceMetrics!=null&&Object.hasOwnProperty.call(m,"resourceMetrics")){
  if(!Array.isArray(m.resourceMetrics))
  return"resourceMetrics: array expected"
  for(var i=0;i<m.resourceMetrics.length;++i){
  {
  var e=types[0].verify(m.resourceMetrics[i],q+1);
  if(e)
  return"resourceMetrics."+e
  }
  }
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".ExportMetricsServiceRequest: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.resourceMetrics){
  if(!Array.isArray(d.resourceMetrics))
  throw TypeError(".ExportMetricsServiceRequest.resourceMetrics: array expected")
  m.resourceMetrics=Array(d.resourceMetrics.length)
  for(var i=0;i<d.resourceMetrics.length;++i){
  if(!util.isObject(d.resourceMetrics[i]))
  throw TypeError(".ExportMetricsServiceRequest.resourceMetrics: object expected")
  m.resourceMetrics[i]=types[0].fromObject(d.resourceMetrics[i],q+1)
  }
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.arrays||o.defaults){
  d.resourceMetrics=[]
  }
  if(m.resourceMetrics&&m.resourceMetrics.length){
  d.resourceMetrics=Array(m.resourceMetrics.length)
  for(var j=0;j<m.resourceMetrics.length;++j){
  d.resourceMetrics[j]=types[0].toObject(m.resourceMetrics[j],o,q+1)
  }
  }
  return d
},
  },
  ".ResourceMetrics": {
    ctor: function (p){
  this.scopeMetrics=[]
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.resource!=null&&Object.hasOwnProperty.call(m,"resource"))
  types[0].encode(m.resource,w.uint32(10).fork(),q+1).ldelim()
  if(m.scopeMetrics!=null&&m.scopeMetrics.length){
  for(var i=0;i<m.scopeMetrics.length;++i)
  types[1].encode(m.scopeMetrics[i],w.uint32(18).fork(),q+1).ldelim()
  }
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m,v
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:{
  if(u!==2)
  break
  m.resource=types[0].decode(r,r.size(),undefined,q+1,m.resource)
  continue
  }
  case 2:
  {
  if(u!==2)
  break
  if(!(m.scopeMetrics&&m.scopeMetrics.length))
  m.scopeMetrics=[]
  m.scopeMetrics.push(types[1].decode(r,r.size(),undefined,q+1))
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.resource!=null&&Object.hasOwnProperty.call(m,"resource")){
  {
  var e=types[0].verify(m.resource,q+1);
  if(e)
  return"resource."+e
  }
  }
  if(m.scopeMetrics!=null&&Object.hasOwnProperty.call(m,"scopeMetrics")){
  if(!Array.isArray(m.scopeMetrics))
  return"scopeMetrics: array expected"
  for(var i=0;i<m.scopeMetrics.length;++i){
  {
  var e=types[1].verify(m.scopeMetrics[i],q+1);
  if(e)
  return"scopeMetrics."+e
  }
  }
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".ResourceMetrics: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.resource!=null){
  if(!util.isObject(d.resource))
  throw TypeError(".ResourceMetrics.resource: object expected")
  m.resource=types[0].fromObject(d.resource,q+1)
  }
  if(d.scopeMetrics){
  if(!Array.isArray(d.scopeMetrics))
  throw TypeError(".ResourceMetrics.scopeMetrics: array expected")
  m.scopeMetrics=Array(d.scopeMetrics.length)
  for(var i=0;i<d.scopeMetrics.length;++i){
  if(!util.isObject(d.scopeMetrics[i]))
  throw TypeError(".ResourceMetrics.scopeMetrics: object expected")
  m.scopeMetrics[i]=types[1].fromObject(d.scopeMetrics[i],q+1)
  }
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.arrays||o.defaults){
  d.scopeMetrics=[]
  }
  if(o.defaults){
  d.resource=null
  }
  if(m.resource!=null&&Object.hasOwnProperty.call(m,"resource")){
  d.resource=types[0].toObject(m.resource,o,q+1)
  }
  if(m.scopeMetrics&&m.scopeMetrics.length){
  d.scopeMetrics=Array(m.scopeMetrics.length)
  for(var j=0;j<m.scopeMetrics.length;++j){
  d.scopeMetrics[j]=types[1].toObject(m.scopeMetrics[j],o,q+1)
  }
  }
  return d
},
  },
  ".ScopeMetrics": {
    ctor: function (p){
  this.metrics=[]
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.scope!=null&&Object.hasOwnProperty.call(m,"scope"))
  types[0].encode(m.scope,w.uint32(10).fork(),q+1).ldelim()
  if(m.metrics!=null&&m.metrics.length){
  for(var i=0;i<m.metrics.length;++i)
  types[1].encode(m.metrics[i],w.uint32(18).fork(),q+1).ldelim()
  }
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m,v
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:{
  if(u!==2)
  break
  m.scope=types[0].decode(r,r.size(),undefined,q+1,m.scope)
  continue
  }
  case 2:
  {
  if(u!==2)
  break
  if(!(m.metrics&&m.metrics.length))
  m.metrics=[]
  m.metrics.push(types[1].decode(r,r.size(),undefined,q+1))
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.scope!=null&&Object.hasOwnProperty.call(m,"scope")){
  {
  var e=types[0].verify(m.scope,q+1);
  if(e)
  return"scope."+e
  }
  }
  if(m.metrics!=null&&Object.hasOwnProperty.call(m,"metrics")){
  if(!Array.isArray(m.metrics))
  return"metrics: array expected"
  for(var i=0;i<m.metrics.length;++i){
  {
  var e=types[1].verify(m.metrics[i],q+1);
  if(e)
  return"metrics."+e
  }
  }
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".ScopeMetrics: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.scope!=null){
  if(!util.isObject(d.scope))
  throw TypeError(".ScopeMetrics.scope: object expected")
  m.scope=types[0].fromObject(d.scope,q+1)
  }
  if(d.metrics){
  if(!Array.isArray(d.metrics))
  throw TypeError(".ScopeMetrics.metrics: array expected")
  m.metrics=Array(d.metrics.length)
  for(var i=0;i<d.metrics.length;++i){
  if(!util.isObject(d.metrics[i]))
  throw TypeError(".ScopeMetrics.metrics: object expected")
  m.metrics[i]=types[1].fromObject(d.metrics[i],q+1)
  }
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.arrays||o.defaults){
  d.metrics=[]
  }
  if(o.defaults){
  d.scope=null
  }
  if(m.scope!=null&&Object.hasOwnProperty.call(m,"scope")){
  d.scope=types[0].toObject(m.scope,o,q+1)
  }
  if(m.metrics&&m.metrics.length){
  d.metrics=Array(m.metrics.length)
  for(var j=0;j<m.metrics.length;++j){
  d.metrics[j]=types[1].toObject(m.metrics[j],o,q+1)
  }
  }
  return d
},
  },
  ".Metric": {
    ctor: function (p){
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.name!=null&&Object.hasOwnProperty.call(m,"name")&&m.name!=="")
  w.uint32(10).string(m.name)
  if(m.unit!=null&&Object.hasOwnProperty.call(m,"unit")&&m.unit!=="")
  w.uint32(26).string(m.unit)
  if(m.gauge!=null&&Object.hasOwnProperty.call(m,"gauge"))
  types[2].encode(m.gauge,w.uint32(42).fork(),q+1).ldelim()
  if(m.sum!=null&&Object.hasOwnProperty.call(m,"sum"))
  types[3].encode(m.sum,w.uint32(58).fork(),q+1).ldelim()
  if(m.histogram!=null&&Object.hasOwnProperty.call(m,"histogram"))
  types[4].encode(m.histogram,w.uint32(74).fork(),q+1).ldelim()
  if(m.exponentialHistogram!=null&&Object.hasOwnProperty.call(m,"exponentialHistogram"))
  types[5].encode(m.exponentialHistogram,w.uint32(82).fork(),q+1).ldelim()
  if(m.summary!=null&&Object.hasOwnProperty.call(m,"summary"))
  types[6].encode(m.summary,w.uint32(90).fork(),q+1).ldelim()
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m,v
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:{
  if(u!==2)
  break
  if((v=r.stringVerify()).length)
  m.name=v
  else
  delete m.name
  continue
  }
  case 3:{
  if(u!==2)
  break
  if((v=r.stringVerify()).length)
  m.unit=v
  else
  delete m.unit
  continue
  }
  case 5:{
  if(u!==2)
  break
  m.gauge=types[2].decode(r,r.size(),undefined,q+1,m.gauge)
  m.data="gauge"
  continue
  }
  case 7:{
  if(u!==2)
  break
  m.sum=types[3].decode(r,r.size(),undefined,q+1,m.sum)
  m.data="sum"
  continue
  }
  case 9:{
  if(u!==2)
  break
  m.histogram=types[4].decode(r,r.size(),undefined,q+1,m.histogram)
  m.data="histogram"
  continue
  }
  case 10:{
  if(u!==2)
  break
  m.exponentialHistogram=types[5].decode(r,r.size(),undefined,q+1,m.exponentialHistogram)
  m.data="exponentialHistogram"
  continue
  }
  case 11:{
  if(u!==2)
  break
  m.summary=types[6].decode(r,r.size(),undefined,q+1,m.summary)
  m.data="summary"
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  var p={}
  if(m.name!=null&&Object.hasOwnProperty.call(m,"name")){
  if(!util.isString(m.name))
  return"name: string expected"
  }
  if(m.unit!=null&&Object.hasOwnProperty.call(m,"unit")){
  if(!util.isString(m.unit))
  return"unit: string expected"
  }
  if(m.gauge!=null&&Object.hasOwnProperty.call(m,"gauge")){
  p.data=1
  {
  var e=types[2].verify(m.gauge,q+1);
  if(e)
  return"gauge."+e
  }
  }
  if(m.sum!=null&&Object.hasOwnProperty.call(m,"sum")){
  if(p.data===1)
  return"data: multiple values"
  p.data=1
  {
  var e=types[3].verify(m.sum,q+1);
  if(e)
  return"sum."+e
  }
  }
  if(m.histogram!=null&&Object.hasOwnProperty.call(m,"histogram")){
  if(p.data===1)
  return"data: multiple values"
  p.data=1
  {
  var e=types[4].verify(m.histogram,q+1);
  if(e)
  return"histogram."+e
  }
  }
  if(m.exponentialHistogram!=null&&Object.hasOwnProperty.call(m,"exponentialHistogram")){
  if(p.data===1)
  return"data: multiple values"
  p.data=1
  {
  var e=types[5].verify(m.exponentialHistogram,q+1);
  if(e)
  return"exponentialHistogram."+e
  }
  }
  if(m.summary!=null&&Object.hasOwnProperty.call(m,"summary")){
  if(p.data===1)
  return"data: multiple values"
  p.data=1
  {
  var e=types[6].verify(m.summary,q+1);
  if(e)
  return"summary."+e
  }
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".Metric: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.name!=null){
  if(typeof d.name!=="string"||d.name.length){
  m.name=String(d.name)
  }
  }
  if(d.unit!=null){
  if(typeof d.unit!=="string"||d.unit.length){
  m.unit=String(d.unit)
  }
  }
  if(d.gauge!=null){
  if(!util.isObject(d.gauge))
  throw TypeError(".Metric.gauge: object expected")
  m.gauge=types[2].fromObject(d.gauge,q+1)
  }
  if(d.sum!=null){
  if(!util.isObject(d.sum))
  throw TypeError(".Metric.sum: object expected")
  m.sum=types[3].fromObject(d.sum,q+1)
  }
  if(d.histogram!=null){
  if(!util.isObject(d.histogram))
  throw TypeError(".Metric.histogram: object expected")
  m.histogram=types[4].fromObject(d.histogram,q+1)
  }
  if(d.exponentialHistogram!=null){
  if(!util.isObject(d.exponentialHistogram))
  throw TypeError(".Metric.exponentialHistogram: object expected")
  m.exponentialHistogram=types[5].fromObject(d.exponentialHistogram,q+1)
  }
  if(d.summary!=null){
  if(!util.isObject(d.summary))
  throw TypeError(".Metric.summary: object expected")
  m.summary=types[6].fromObject(d.summary,q+1)
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.defaults){
  d.name=""
  d.unit=""
  }
  if(m.name!=null&&Object.hasOwnProperty.call(m,"name")){
  d.name=m.name
  }
  if(m.unit!=null&&Object.hasOwnProperty.call(m,"unit")){
  d.unit=m.unit
  }
  if(m.gauge!=null&&Object.hasOwnProperty.call(m,"gauge")){
  d.gauge=types[2].toObject(m.gauge,o,q+1)
  if(o.oneofs)
  d.data="gauge"
  }
  if(m.sum!=null&&Object.hasOwnProperty.call(m,"sum")){
  d.sum=types[3].toObject(m.sum,o,q+1)
  if(o.oneofs)
  d.data="sum"
  }
  if(m.histogram!=null&&Object.hasOwnProperty.call(m,"histogram")){
  d.histogram=types[4].toObject(m.histogram,o,q+1)
  if(o.oneofs)
  d.data="histogram"
  }
  if(m.exponentialHistogram!=null&&Object.hasOwnProperty.call(m,"exponentialHistogram")){
  d.exponentialHistogram=types[5].toObject(m.exponentialHistogram,o,q+1)
  if(o.oneofs)
  d.data="exponentialHistogram"
  }
  if(m.summary!=null&&Object.hasOwnProperty.call(m,"summary")){
  d.summary=types[6].toObject(m.summary,o,q+1)
  if(o.oneofs)
  d.data="summary"
  }
  return d
},
  },
  ".Gauge": {
    ctor: function (p){
  this.dataPoints=[]
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.dataPoints!=null&&m.dataPoints.length){
  for(var i=0;i<m.dataPoints.length;++i)
  types[0].encode(m.dataPoints[i],w.uint32(10).fork(),q+1).ldelim()
  }
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:
  {
  if(u!==2)
  break
  if(!(m.dataPoints&&m.dataPoints.length))
  m.dataPoints=[]
  m.dataPoints.push(types[0].decode(r,r.size(),undefined,q+1))
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.dataPoints!=null&&Object.hasOwnProperty.call(m,"dataPoints")){
  if(!Array.isArray(m.dataPoints))
  return"dataPoints: array expected"
  for(var i=0;i<m.dataPoints.length;++i){
  {
  var e=types[0].verify(m.dataPoints[i],q+1);
  if(e)
  return"dataPoints."+e
  }
  }
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".Gauge: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.dataPoints){
  if(!Array.isArray(d.dataPoints))
  throw TypeError(".Gauge.dataPoints: array expected")
  m.dataPoints=Array(d.dataPoints.length)
  for(var i=0;i<d.dataPoints.length;++i){
  if(!util.isObject(d.dataPoints[i]))
  throw TypeError(".Gauge.dataPoints: object expected")
  m.dataPoints[i]=types[0].fromObject(d.dataPoints[i],q+1)
  }
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.arrays||o.defaults){
  d.dataPoints=[]
  }
  if(m.dataPoints&&m.dataPoints.length){
  d.dataPoints=Array(m.dataPoints.length)
  for(var j=0;j<m.dataPoints.length;++j){
  d.dataPoints[j]=types[0].toObject(m.dataPoints[j],o,q+1)
  }
  }
  return d
},
  },
  ".Sum": {
    ctor: function (p){
  this.dataPoints=[]
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.dataPoints!=null&&m.dataPoints.length){
  for(var i=0;i<m.dataPoints.length;++i)
  types[0].encode(m.dataPoints[i],w.uint32(10).fork(),q+1).ldelim()
  }
  if(m.aggregationTemporality!=null&&Object.hasOwnProperty.call(m,"aggregationTemporality")&&m.aggregationTemporality!==0)
  w.uint32(16).int32(m.aggregationTemporality)
  if(m.isMonotonic!=null&&Object.hasOwnProperty.call(m,"isMonotonic")&&m.isMonotonic!==false)
  w.uint32(24).bool(m.isMonotonic)
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m,v
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:
  {
  if(u!==2)
  break
  if(!(m.dataPoints&&m.dataPoints.length))
  m.dataPoints=[]
  m.dataPoints.push(types[0].decode(r,r.size(),undefined,q+1))
  continue
  }
  case 2:{
  if(u!==0)
  break
  if(v=r.int32())
  m.aggregationTemporality=v
  else
  delete m.aggregationTemporality
  continue
  }
  case 3:{
  if(u!==0)
  break
  if(v=r.bool())
  m.isMonotonic=v
  else
  delete m.isMonotonic
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.dataPoints!=null&&Object.hasOwnProperty.call(m,"dataPoints")){
  if(!Array.isArray(m.dataPoints))
  return"dataPoints: array expected"
  for(var i=0;i<m.dataPoints.length;++i){
  {
  var e=types[0].verify(m.dataPoints[i],q+1);
  if(e)
  return"dataPoints."+e
  }
  }
  }
  if(m.aggregationTemporality!=null&&Object.hasOwnProperty.call(m,"aggregationTemporality")){
  if(!util.isInteger(m.aggregationTemporality))
  return"aggregationTemporality: integer expected"
  }
  if(m.isMonotonic!=null&&Object.hasOwnProperty.call(m,"isMonotonic")){
  if(typeof m.isMonotonic!=="boolean")
  return"isMonotonic: boolean expected"
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".Sum: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.dataPoints){
  if(!Array.isArray(d.dataPoints))
  throw TypeError(".Sum.dataPoints: array expected")
  m.dataPoints=Array(d.dataPoints.length)
  for(var i=0;i<d.dataPoints.length;++i){
  if(!util.isObject(d.dataPoints[i]))
  throw TypeError(".Sum.dataPoints: object expected")
  m.dataPoints[i]=types[0].fromObject(d.dataPoints[i],q+1)
  }
  }
  if(d.aggregationTemporality!=null){
  if(Number(d.aggregationTemporality)!==0){
  m.aggregationTemporality=d.aggregationTemporality|0
  }
  }
  if(d.isMonotonic!=null){
  if(d.isMonotonic){
  m.isMonotonic=Boolean(d.isMonotonic)
  }
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.arrays||o.defaults){
  d.dataPoints=[]
  }
  if(o.defaults){
  d.aggregationTemporality=0
  d.isMonotonic=false
  }
  if(m.dataPoints&&m.dataPoints.length){
  d.dataPoints=Array(m.dataPoints.length)
  for(var j=0;j<m.dataPoints.length;++j){
  d.dataPoints[j]=types[0].toObject(m.dataPoints[j],o,q+1)
  }
  }
  if(m.aggregationTemporality!=null&&Object.hasOwnProperty.call(m,"aggregationTemporality")){
  d.aggregationTemporality=m.aggregationTemporality
  }
  if(m.isMonotonic!=null&&Object.hasOwnProperty.call(m,"isMonotonic")){
  d.isMonotonic=m.isMonotonic
  }
  return d
},
  },
  ".Histogram": {
    ctor: function (p){
  this.dataPoints=[]
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.dataPoints!=null&&m.dataPoints.length){
  for(var i=0;i<m.dataPoints.length;++i)
  types[0].encode(m.dataPoints[i],w.uint32(10).fork(),q+1).ldelim()
  }
  if(m.aggregationTemporality!=null&&Object.hasOwnProperty.call(m,"aggregationTemporality")&&m.aggregationTemporality!==0)
  w.uint32(16).int32(m.aggregationTemporality)
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m,v
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:
  {
  if(u!==2)
  break
  if(!(m.dataPoints&&m.dataPoints.length))
  m.dataPoints=[]
  m.dataPoints.push(types[0].decode(r,r.size(),undefined,q+1))
  continue
  }
  case 2:{
  if(u!==0)
  break
  if(v=r.int32())
  m.aggregationTemporality=v
  else
  delete m.aggregationTemporality
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.dataPoints!=null&&Object.hasOwnProperty.call(m,"dataPoints")){
  if(!Array.isArray(m.dataPoints))
  return"dataPoints: array expected"
  for(var i=0;i<m.dataPoints.length;++i){
  {
  var e=types[0].verify(m.dataPoints[i],q+1);
  if(e)
  return"dataPoints."+e
  }
  }
  }
  if(m.aggregationTemporality!=null&&Object.hasOwnProperty.call(m,"aggregationTemporality")){
  if(!util.isInteger(m.aggregationTemporality))
  return"aggregationTemporality: integer expected"
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".Histogram: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.dataPoints){
  if(!Array.isArray(d.dataPoints))
  throw TypeError(".Histogram.dataPoints: array expected")
  m.dataPoints=Array(d.dataPoints.length)
  for(var i=0;i<d.dataPoints.length;++i){
  if(!util.isObject(d.dataPoints[i]))
  throw TypeError(".Histogram.dataPoints: object expected")
  m.dataPoints[i]=types[0].fromObject(d.dataPoints[i],q+1)
  }
  }
  if(d.aggregationTemporality!=null){
  if(Number(d.aggregationTemporality)!==0){
  m.aggregationTemporality=d.aggregationTemporality|0
  }
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.arrays||o.defaults){
  d.dataPoints=[]
  }
  if(o.defaults){
  d.aggregationTemporality=0
  }
  if(m.dataPoints&&m.dataPoints.length){
  d.dataPoints=Array(m.dataPoints.length)
  for(var j=0;j<m.dataPoints.length;++j){
  d.dataPoints[j]=types[0].toObject(m.dataPoints[j],o,q+1)
  }
  }
  if(m.aggregationTemporality!=null&&Object.hasOwnProperty.call(m,"aggregationTemporality")){
  d.aggregationTemporality=m.aggregationTemporality
  }
  return d
},
  },
  ".ExponentialHistogram": {
    ctor: function (p){
  this.dataPoints=[]
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.dataPoints!=null&&m.dataPoints.length){
  for(var i=0;i<m.dataPoints.length;++i)
  types[0].encode(m.dataPoints[i],w.uint32(10).fork(),q+1).ldelim()
  }
  if(m.aggregationTemporality!=null&&Object.hasOwnProperty.call(m,"aggregationTemporality")&&m.aggregationTemporality!==0)
  w.uint32(16).int32(m.aggregationTemporality)
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m,v
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:
  {
  if(u!==2)
  break
  if(!(m.dataPoints&&m.dataPoints.length))
  m.dataPoints=[]
  m.dataPoints.push(types[0].decode(r,r.size(),undefined,q+1))
  continue
  }
  case 2:{
  if(u!==0)
  break
  if(v=r.int32())
  m.aggregationTemporality=v
  else
  delete m.aggregationTemporality
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.dataPoints!=null&&Object.hasOwnProperty.call(m,"dataPoints")){
  if(!Array.isArray(m.dataPoints))
  return"dataPoints: array expected"
  for(var i=0;i<m.dataPoints.length;++i){
  {
  var e=types[0].verify(m.dataPoints[i],q+1);
  if(e)
  return"dataPoints."+e
  }
  }
  }
  if(m.aggregationTemporality!=null&&Object.hasOwnProperty.call(m,"aggregationTemporality")){
  if(!util.isInteger(m.aggregationTemporality))
  return"aggregationTemporality: integer expected"
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".ExponentialHistogram: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.dataPoints){
  if(!Array.isArray(d.dataPoints))
  throw TypeError(".ExponentialHistogram.dataPoints: array expected")
  m.dataPoints=Array(d.dataPoints.length)
  for(var i=0;i<d.dataPoints.length;++i){
  if(!util.isObject(d.dataPoints[i]))
  throw TypeError(".ExponentialHistogram.dataPoints: object expected")
  m.dataPoints[i]=types[0].fromObject(d.dataPoints[i],q+1)
  }
  }
  if(d.aggregationTemporality!=null){
  if(Number(d.aggregationTemporality)!==0){
  m.aggregationTemporality=d.aggregationTemporality|0
  }
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.arrays||o.defaults){
  d.dataPoints=[]
  }
  if(o.defaults){
  d.aggregationTemporality=0
  }
  if(m.dataPoints&&m.dataPoints.length){
  d.dataPoints=Array(m.dataPoints.length)
  for(var j=0;j<m.dataPoints.length;++j){
  d.dataPoints[j]=types[0].toObject(m.dataPoints[j],o,q+1)
  }
  }
  if(m.aggregationTemporality!=null&&Object.hasOwnProperty.call(m,"aggregationTemporality")){
  d.aggregationTemporality=m.aggregationTemporality
  }
  return d
},
  },
  ".Summary": {
    ctor: function (p){
  this.dataPoints=[]
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.dataPoints!=null&&m.dataPoints.length){
  for(var i=0;i<m.dataPoints.length;++i)
  types[0].encode(m.dataPoints[i],w.uint32(10).fork(),q+1).ldelim()
  }
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:
  {
  if(u!==2)
  break
  if(!(m.dataPoints&&m.dataPoints.length))
  m.dataPoints=[]
  m.dataPoints.push(types[0].decode(r,r.size(),undefined,q+1))
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.dataPoints!=null&&Object.hasOwnProperty.call(m,"dataPoints")){
  if(!Array.isArray(m.dataPoints))
  return"dataPoints: array expected"
  for(var i=0;i<m.dataPoints.length;++i){
  {
  var e=types[0].verify(m.dataPoints[i],q+1);
  if(e)
  return"dataPoints."+e
  }
  }
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".Summary: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.dataPoints){
  if(!Array.isArray(d.dataPoints))
  throw TypeError(".Summary.dataPoints: array expected")
  m.dataPoints=Array(d.dataPoints.length)
  for(var i=0;i<d.dataPoints.length;++i){
  if(!util.isObject(d.dataPoints[i]))
  throw TypeError(".Summary.dataPoints: object expected")
  m.dataPoints[i]=types[0].fromObject(d.dataPoints[i],q+1)
  }
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.arrays||o.defaults){
  d.dataPoints=[]
  }
  if(m.dataPoints&&m.dataPoints.length){
  d.dataPoints=Array(m.dataPoints.length)
  for(var j=0;j<m.dataPoints.length;++j){
  d.dataPoints[j]=types[0].toObject(m.dataPoints[j],o,q+1)
  }
  }
  return d
},
  },
  ".Opaque": {
    ctor: function (p){
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  r.skipType(t&7,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".Opaque: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  return new C
},
    toObject: ({ types, util }) => function (){
  return {}
},
  },
  ".NumberDataPoint": {
    ctor: function (p){
  this.attributes=[]
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.startTimeUnixNano!=null&&Object.hasOwnProperty.call(m,"startTimeUnixNano")&&(typeof m.startTimeUnixNano==="object"?m.startTimeUnixNano.low||m.startTimeUnixNano.high:m.startTimeUnixNano!==0))
  w.uint32(17).fixed64(m.startTimeUnixNano)
  if(m.timeUnixNano!=null&&Object.hasOwnProperty.call(m,"timeUnixNano")&&(typeof m.timeUnixNano==="object"?m.timeUnixNano.low||m.timeUnixNano.high:m.timeUnixNano!==0))
  w.uint32(25).fixed64(m.timeUnixNano)
  if(m.asDouble!=null&&Object.hasOwnProperty.call(m,"asDouble"))
  w.uint32(33).double(m.asDouble)
  if(m.asInt!=null&&Object.hasOwnProperty.call(m,"asInt"))
  w.uint32(49).sfixed64(m.asInt)
  if(m.attributes!=null&&m.attributes.length){
  for(var i=0;i<m.attributes.length;++i)
  types[0].encode(m.attributes[i],w.uint32(58).fork(),q+1).ldelim()
  }
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m,v
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 7:
  {
  if(u!==2)
  break
  if(!(m.attributes&&m.attributes.length))
  m.attributes=[]
  m.attributes.push(types[0].decode(r,r.size(),undefined,q+1))
  continue
  }
  case 2:{
  if(u!==1)
  break
  if(typeof(v=r.fixed64())==="object"?v.low||v.high:v!==0)
  m.startTimeUnixNano=v
  else
  delete m.startTimeUnixNano
  continue
  }
  case 3:{
  if(u!==1)
  break
  if(typeof(v=r.fixed64())==="object"?v.low||v.high:v!==0)
  m.timeUnixNano=v
  else
  delete m.timeUnixNano
  continue
  }
  case 4:{
  if(u!==1)
  break
  m.asDouble=r.double()
  m.value="asDouble"
  continue
  }
  case 6:{
  if(u!==1)
  break
  m.asInt=r.sfixed64()
  m.value="asInt"
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  var p={}
  if(m.attributes!=null&&Object.hasOwnProperty.call(m,"attributes")){
  if(!Array.isArray(m.attributes))
  return"attributes: array expected"
  for(var i=0;i<m.attributes.length;++i){
  {
  var e=types[0].verify(m.attributes[i],q+1);
  if(e)
  return"attributes."+e
  }
  }
  }
  if(m.startTimeUnixNano!=null&&Object.hasOwnProperty.call(m,"startTimeUnixNano")){
  if(!util.isInteger(m.startTimeUnixNano)&&!(m.startTimeUnixNano&&util.isInteger(m.startTimeUnixNano.low)&&util.isInteger(m.startTimeUnixNano.high)))
  return"startTimeUnixNano: integer|Long expected"
  }
  if(m.timeUnixNano!=null&&Object.hasOwnProperty.call(m,"timeUnixNano")){
  if(!util.isInteger(m.timeUnixNano)&&!(m.timeUnixNano&&util.isInteger(m.timeUnixNano.low)&&util.isInteger(m.timeUnixNano.high)))
  return"timeUnixNano: integer|Long expected"
  }
  if(m.asDouble!=null&&Object.hasOwnProperty.call(m,"asDouble")){
  p.value=1
  if(typeof m.asDouble!=="number")
  return"asDouble: number expected"
  }
  if(m.asInt!=null&&Object.hasOwnProperty.call(m,"asInt")){
  if(p.value===1)
  return"value: multiple values"
  p.value=1
  if(!util.isInteger(m.asInt)&&!(m.asInt&&util.isInteger(m.asInt.low)&&util.isInteger(m.asInt.high)))
  return"asInt: integer|Long expected"
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".NumberDataPoint: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.attributes){
  if(!Array.isArray(d.attributes))
  throw TypeError(".NumberDataPoint.attributes: array expected")
  m.attributes=Array(d.attributes.length)
  for(var i=0;i<d.attributes.length;++i){
  if(!util.isObject(d.attributes[i]))
  throw TypeError(".NumberDataPoint.attributes: object expected")
  m.attributes[i]=types[0].fromObject(d.attributes[i],q+1)
  }
  }
  if(d.startTimeUnixNano!=null){
  if(typeof d.startTimeUnixNano==="object"?d.startTimeUnixNano.low||d.startTimeUnixNano.high:Number(d.startTimeUnixNano)!==0){
  if(util.Long)
  m.startTimeUnixNano=util.Long.fromValue(d.startTimeUnixNano,true)
  else if(typeof d.startTimeUnixNano==="string")
  m.startTimeUnixNano=parseInt(d.startTimeUnixNano,10)
  else if(typeof d.startTimeUnixNano==="number")
  m.startTimeUnixNano=d.startTimeUnixNano
  else if(typeof d.startTimeUnixNano==="object")
  m.startTimeUnixNano=new util.LongBits(d.startTimeUnixNano.low>>>0,d.startTimeUnixNano.high>>>0).toNumber(true)
  }
  }
  if(d.timeUnixNano!=null){
  if(typeof d.timeUnixNano==="object"?d.timeUnixNano.low||d.timeUnixNano.high:Number(d.timeUnixNano)!==0){
  if(util.Long)
  m.timeUnixNano=util.Long.fromValue(d.timeUnixNano,true)
  else if(typeof d.timeUnixNano==="string")
  m.timeUnixNano=parseInt(d.timeUnixNano,10)
  else if(typeof d.timeUnixNano==="number")
  m.timeUnixNano=d.timeUnixNano
  else if(typeof d.timeUnixNano==="object")
  m.timeUnixNano=new util.LongBits(d.timeUnixNano.low>>>0,d.timeUnixNano.high>>>0).toNumber(true)
  }
  }
  if(d.asDouble!=null){
  m.asDouble=Number(d.asDouble)
  }
  if(d.asInt!=null){
  if(util.Long)
  m.asInt=util.Long.fromValue(d.asInt,false)
  else if(typeof d.asInt==="string")
  m.asInt=parseInt(d.asInt,10)
  else if(typeof d.asInt==="number")
  m.asInt=d.asInt
  else if(typeof d.asInt==="object")
  m.asInt=new util.LongBits(d.asInt.low>>>0,d.asInt.high>>>0).toNumber()
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.arrays||o.defaults){
  d.attributes=[]
  }
  if(o.defaults){
  if(util.Long){
  var n=new util.Long(0,0,true)
  d.startTimeUnixNano=o.longs===String?n.toString():o.longs===Number?n.toNumber():typeof BigInt!=="undefined"&&o.longs===BigInt?n.toBigInt():n
  }else
  d.startTimeUnixNano=o.longs===String?"0":typeof BigInt!=="undefined"&&o.longs===BigInt?BigInt("0"):0
  if(util.Long){
  var n=new util.Long(0,0,true)
  d.timeUnixNano=o.longs===String?n.toString():o.longs===Number?n.toNumber():typeof BigInt!=="undefined"&&o.longs===BigInt?n.toBigInt():n
  }else
  d.timeUnixNano=o.longs===String?"0":typeof BigInt!=="undefined"&&o.longs===BigInt?BigInt("0"):0
  }
  if(m.startTimeUnixNano!=null&&Object.hasOwnProperty.call(m,"startTimeUnixNano")){
  if(typeof BigInt!=="undefined"&&o.longs===BigInt)
  d.startTimeUnixNano=typeof m.startTimeUnixNano==="number"?BigInt(m.startTimeUnixNano):util.Long.fromBits(m.startTimeUnixNano.low>>>0,m.startTimeUnixNano.high>>>0,true).toBigInt()
  else if(typeof m.startTimeUnixNano==="number")
  d.startTimeUnixNano=o.longs===String?String(m.startTimeUnixNano):m.startTimeUnixNano
  else
  d.startTimeUnixNano=o.longs===String?util.Long.prototype.toString.call(m.startTimeUnixNano):o.longs===Number?new util.LongBits(m.startTimeUnixNano.low>>>0,m.startTimeUnixNano.high>>>0).toNumber(true):m.startTimeUnixNano
  }
  if(m.timeUnixNano!=null&&Object.hasOwnProperty.call(m,"timeUnixNano")){
  if(typeof BigInt!=="undefined"&&o.longs===BigInt)
  d.timeUnixNano=typeof m.timeUnixNano==="number"?BigInt(m.timeUnixNano):util.Long.fromBits(m.timeUnixNano.low>>>0,m.timeUnixNano.high>>>0,true).toBigInt()
  else if(typeof m.timeUnixNano==="number")
  d.timeUnixNano=o.longs===String?String(m.timeUnixNano):m.timeUnixNano
  else
  d.timeUnixNano=o.longs===String?util.Long.prototype.toString.call(m.timeUnixNano):o.longs===Number?new util.LongBits(m.timeUnixNano.low>>>0,m.timeUnixNano.high>>>0).toNumber(true):m.timeUnixNano
  }
  if(m.asDouble!=null&&Object.hasOwnProperty.call(m,"asDouble")){
  d.asDouble=o.json&&!isFinite(m.asDouble)?String(m.asDouble):m.asDouble
  if(o.oneofs)
  d.value="asDouble"
  }
  if(m.asInt!=null&&Object.hasOwnProperty.call(m,"asInt")){
  if(typeof BigInt!=="undefined"&&o.longs===BigInt)
  d.asInt=typeof m.asInt==="number"?BigInt(m.asInt):util.Long.fromBits(m.asInt.low>>>0,m.asInt.high>>>0,false).toBigInt()
  else if(typeof m.asInt==="number")
  d.asInt=o.longs===String?String(m.asInt):m.asInt
  else
  d.asInt=o.longs===String?util.Long.prototype.toString.call(m.asInt):o.longs===Number?new util.LongBits(m.asInt.low>>>0,m.asInt.high>>>0).toNumber():m.asInt
  if(o.oneofs)
  d.value="asInt"
  }
  if(m.attributes&&m.attributes.length){
  d.attributes=Array(m.attributes.length)
  for(var j=0;j<m.attributes.length;++j){
  d.attributes[j]=types[0].toObject(m.attributes[j],o,q+1)
  }
  }
  return d
},
  },
  ".HistogramDataPoint": {
    ctor: function (p){
  this.attributes=[]
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.startTimeUnixNano!=null&&Object.hasOwnProperty.call(m,"startTimeUnixNano")&&(typeof m.startTimeUnixNano==="object"?m.startTimeUnixNano.low||m.startTimeUnixNano.high:m.startTimeUnixNano!==0))
  w.uint32(17).fixed64(m.startTimeUnixNano)
  if(m.timeUnixNano!=null&&Object.hasOwnProperty.call(m,"timeUnixNano")&&(typeof m.timeUnixNano==="object"?m.timeUnixNano.low||m.timeUnixNano.high:m.timeUnixNano!==0))
  w.uint32(25).fixed64(m.timeUnixNano)
  if(m.count!=null&&Object.hasOwnProperty.call(m,"count")&&(typeof m.count==="object"?m.count.low||m.count.high:m.count!==0))
  w.uint32(33).fixed64(m.count)
  if(m.sum!=null&&Object.hasOwnProperty.call(m,"sum")&&!Object.is(m.sum,0))
  w.uint32(41).double(m.sum)
  if(m.attributes!=null&&m.attributes.length){
  for(var i=0;i<m.attributes.length;++i)
  types[0].encode(m.attributes[i],w.uint32(74).fork(),q+1).ldelim()
  }
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m,v
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 9:
  {
  if(u!==2)
  break
  if(!(m.attributes&&m.attributes.length))
  m.attributes=[]
  m.attributes.push(types[0].decode(r,r.size(),undefined,q+1))
  continue
  }
  case 2:{
  if(u!==1)
  break
  if(typeof(v=r.fixed64())==="object"?v.low||v.high:v!==0)
  m.startTimeUnixNano=v
  else
  delete m.startTimeUnixNano
  continue
  }
  case 3:{
  if(u!==1)
  break
  if(typeof(v=r.fixed64())==="object"?v.low||v.high:v!==0)
  m.timeUnixNano=v
  else
  delete m.timeUnixNano
  continue
  }
  case 4:{
  if(u!==1)
  break
  if(typeof(v=r.fixed64())==="object"?v.low||v.high:v!==0)
  m.count=v
  else
  delete m.count
  continue
  }
  case 5:{
  if(u!==1)
  break
  if(!Object.is(v=r.double(),0))
  m.sum=v
  else
  delete m.sum
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.attributes!=null&&Object.hasOwnProperty.call(m,"attributes")){
  if(!Array.isArray(m.attributes))
  return"attributes: array expected"
  for(var i=0;i<m.attributes.length;++i){
  {
  var e=types[0].verify(m.attributes[i],q+1);
  if(e)
  return"attributes."+e
  }
  }
  }
  if(m.startTimeUnixNano!=null&&Object.hasOwnProperty.call(m,"startTimeUnixNano")){
  if(!util.isInteger(m.startTimeUnixNano)&&!(m.startTimeUnixNano&&util.isInteger(m.startTimeUnixNano.low)&&util.isInteger(m.startTimeUnixNano.high)))
  return"startTimeUnixNano: integer|Long expected"
  }
  if(m.timeUnixNano!=null&&Object.hasOwnProperty.call(m,"timeUnixNano")){
  if(!util.isInteger(m.timeUnixNano)&&!(m.timeUnixNano&&util.isInteger(m.timeUnixNano.low)&&util.isInteger(m.timeUnixNano.high)))
  return"timeUnixNano: integer|Long expected"
  }
  if(m.count!=null&&Object.hasOwnProperty.call(m,"count")){
  if(!util.isInteger(m.count)&&!(m.count&&util.isInteger(m.count.low)&&util.isInteger(m.count.high)))
  return"count: integer|Long expected"
  }
  if(m.sum!=null&&Object.hasOwnProperty.call(m,"sum")){
  if(typeof m.sum!=="number")
  return"sum: number expected"
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".HistogramDataPoint: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.attributes){
  if(!Array.isArray(d.attributes))
  throw TypeError(".HistogramDataPoint.attributes: array expected")
  m.attributes=Array(d.attributes.length)
  for(var i=0;i<d.attributes.length;++i){
  if(!util.isObject(d.attributes[i]))
  throw TypeError(".HistogramDataPoint.attributes: object expected")
  m.attributes[i]=types[0].fromObject(d.attributes[i],q+1)
  }
  }
  if(d.startTimeUnixNano!=null){
  if(typeof d.startTimeUnixNano==="object"?d.startTimeUnixNano.low||d.startTimeUnixNano.high:Number(d.startTimeUnixNano)!==0){
  if(util.Long)
  m.startTimeUnixNano=util.Long.fromValue(d.startTimeUnixNano,true)
  else if(typeof d.startTimeUnixNano==="string")
  m.startTimeUnixNano=parseInt(d.startTimeUnixNano,10)
  else if(typeof d.startTimeUnixNano==="number")
  m.startTimeUnixNano=d.startTimeUnixNano
  else if(typeof d.startTimeUnixNano==="object")
  m.startTimeUnixNano=new util.LongBits(d.startTimeUnixNano.low>>>0,d.startTimeUnixNano.high>>>0).toNumber(true)
  }
  }
  if(d.timeUnixNano!=null){
  if(typeof d.timeUnixNano==="object"?d.timeUnixNano.low||d.timeUnixNano.high:Number(d.timeUnixNano)!==0){
  if(util.Long)
  m.timeUnixNano=util.Long.fromValue(d.timeUnixNano,true)
  else if(typeof d.timeUnixNano==="string")
  m.timeUnixNano=parseInt(d.timeUnixNano,10)
  else if(typeof d.timeUnixNano==="number")
  m.timeUnixNano=d.timeUnixNano
  else if(typeof d.timeUnixNano==="object")
  m.timeUnixNano=new util.LongBits(d.timeUnixNano.low>>>0,d.timeUnixNano.high>>>0).toNumber(true)
  }
  }
  if(d.count!=null){
  if(typeof d.count==="object"?d.count.low||d.count.high:Number(d.count)!==0){
  if(util.Long)
  m.count=util.Long.fromValue(d.count,true)
  else if(typeof d.count==="string")
  m.count=parseInt(d.count,10)
  else if(typeof d.count==="number")
  m.count=d.count
  else if(typeof d.count==="object")
  m.count=new util.LongBits(d.count.low>>>0,d.count.high>>>0).toNumber(true)
  }
  }
  if(d.sum!=null){
  if(!Object.is(Number(d.sum),0)){
  m.sum=Number(d.sum)
  }
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.arrays||o.defaults){
  d.attributes=[]
  }
  if(o.defaults){
  if(util.Long){
  var n=new util.Long(0,0,true)
  d.startTimeUnixNano=o.longs===String?n.toString():o.longs===Number?n.toNumber():typeof BigInt!=="undefined"&&o.longs===BigInt?n.toBigInt():n
  }else
  d.startTimeUnixNano=o.longs===String?"0":typeof BigInt!=="undefined"&&o.longs===BigInt?BigInt("0"):0
  if(util.Long){
  var n=new util.Long(0,0,true)
  d.timeUnixNano=o.longs===String?n.toString():o.longs===Number?n.toNumber():typeof BigInt!=="undefined"&&o.longs===BigInt?n.toBigInt():n
  }else
  d.timeUnixNano=o.longs===String?"0":typeof BigInt!=="undefined"&&o.longs===BigInt?BigInt("0"):0
  if(util.Long){
  var n=new util.Long(0,0,true)
  d.count=o.longs===String?n.toString():o.longs===Number?n.toNumber():typeof BigInt!=="undefined"&&o.longs===BigInt?n.toBigInt():n
  }else
  d.count=o.longs===String?"0":typeof BigInt!=="undefined"&&o.longs===BigInt?BigInt("0"):0
  d.sum=0
  }
  if(m.startTimeUnixNano!=null&&Object.hasOwnProperty.call(m,"startTimeUnixNano")){
  if(typeof BigInt!=="undefined"&&o.longs===BigInt)
  d.startTimeUnixNano=typeof m.startTimeUnixNano==="number"?BigInt(m.startTimeUnixNano):util.Long.fromBits(m.startTimeUnixNano.low>>>0,m.startTimeUnixNano.high>>>0,true).toBigInt()
  else if(typeof m.startTimeUnixNano==="number")
  d.startTimeUnixNano=o.longs===String?String(m.startTimeUnixNano):m.startTimeUnixNano
  else
  d.startTimeUnixNano=o.longs===String?util.Long.prototype.toString.call(m.startTimeUnixNano):o.longs===Number?new util.LongBits(m.startTimeUnixNano.low>>>0,m.startTimeUnixNano.high>>>0).toNumber(true):m.startTimeUnixNano
  }
  if(m.timeUnixNano!=null&&Object.hasOwnProperty.call(m,"timeUnixNano")){
  if(typeof BigInt!=="undefined"&&o.longs===BigInt)
  d.timeUnixNano=typeof m.timeUnixNano==="number"?BigInt(m.timeUnixNano):util.Long.fromBits(m.timeUnixNano.low>>>0,m.timeUnixNano.high>>>0,true).toBigInt()
  else if(typeof m.timeUnixNano==="number")
  d.timeUnixNano=o.longs===String?String(m.timeUnixNano):m.timeUnixNano
  else
  d.timeUnixNano=o.longs===String?util.Long.prototype.toString.call(m.timeUnixNano):o.longs===Number?new util.LongBits(m.timeUnixNano.low>>>0,m.timeUnixNano.high>>>0).toNumber(true):m.timeUnixNano
  }
  if(m.count!=null&&Object.hasOwnProperty.call(m,"count")){
  if(typeof BigInt!=="undefined"&&o.longs===BigInt)
  d.count=typeof m.count==="number"?BigInt(m.count):util.Long.fromBits(m.count.low>>>0,m.count.high>>>0,true).toBigInt()
  else if(typeof m.count==="number")
  d.count=o.longs===String?String(m.count):m.count
  else
  d.count=o.longs===String?util.Long.prototype.toString.call(m.count):o.longs===Number?new util.LongBits(m.count.low>>>0,m.count.high>>>0).toNumber(true):m.count
  }
  if(m.sum!=null&&Object.hasOwnProperty.call(m,"sum")){
  d.sum=o.json&&!isFinite(m.sum)?String(m.sum):m.sum
  }
  if(m.attributes&&m.attributes.length){
  d.attributes=Array(m.attributes.length)
  for(var j=0;j<m.attributes.length;++j){
  d.attributes[j]=types[0].toObject(m.attributes[j],o,q+1)
  }
  }
  return d
},
  },
  ".ExponentialHistogramDataPoint": {
    ctor: function (p){
  this.attributes=[]
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.attributes!=null&&m.attributes.length){
  for(var i=0;i<m.attributes.length;++i)
  types[0].encode(m.attributes[i],w.uint32(10).fork(),q+1).ldelim()
  }
  if(m.startTimeUnixNano!=null&&Object.hasOwnProperty.call(m,"startTimeUnixNano")&&(typeof m.startTimeUnixNano==="object"?m.startTimeUnixNano.low||m.startTimeUnixNano.high:m.startTimeUnixNano!==0))
  w.uint32(17).fixed64(m.startTimeUnixNano)
  if(m.timeUnixNano!=null&&Object.hasOwnProperty.call(m,"timeUnixNano")&&(typeof m.timeUnixNano==="object"?m.timeUnixNano.low||m.timeUnixNano.high:m.timeUnixNano!==0))
  w.uint32(25).fixed64(m.timeUnixNano)
  if(m.count!=null&&Object.hasOwnProperty.call(m,"count")&&(typeof m.count==="object"?m.count.low||m.count.high:m.count!==0))
  w.uint32(33).fixed64(m.count)
  if(m.sum!=null&&Object.hasOwnProperty.call(m,"sum")&&!Object.is(m.sum,0))
  w.uint32(41).double(m.sum)
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m,v
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:
  {
  if(u!==2)
  break
  if(!(m.attributes&&m.attributes.length))
  m.attributes=[]
  m.attributes.push(types[0].decode(r,r.size(),undefined,q+1))
  continue
  }
  case 2:{
  if(u!==1)
  break
  if(typeof(v=r.fixed64())==="object"?v.low||v.high:v!==0)
  m.startTimeUnixNano=v
  else
  delete m.startTimeUnixNano
  continue
  }
  case 3:{
  if(u!==1)
  break
  if(typeof(v=r.fixed64())==="object"?v.low||v.high:v!==0)
  m.timeUnixNano=v
  else
  delete m.timeUnixNano
  continue
  }
  case 4:{
  if(u!==1)
  break
  if(typeof(v=r.fixed64())==="object"?v.low||v.high:v!==0)
  m.count=v
  else
  delete m.count
  continue
  }
  case 5:{
  if(u!==1)
  break
  if(!Object.is(v=r.double(),0))
  m.sum=v
  else
  delete m.sum
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.attributes!=null&&Object.hasOwnProperty.call(m,"attributes")){
  if(!Array.isArray(m.attributes))
  return"attributes: array expected"
  for(var i=0;i<m.attributes.length;++i){
  {
  var e=types[0].verify(m.attributes[i],q+1);
  if(e)
  return"attributes."+e
  }
  }
  }
  if(m.startTimeUnixNano!=null&&Object.hasOwnProperty.call(m,"startTimeUnixNano")){
  if(!util.isInteger(m.startTimeUnixNano)&&!(m.startTimeUnixNano&&util.isInteger(m.startTimeUnixNano.low)&&util.isInteger(m.startTimeUnixNano.high)))
  return"startTimeUnixNano: integer|Long expected"
  }
  if(m.timeUnixNano!=null&&Object.hasOwnProperty.call(m,"timeUnixNano")){
  if(!util.isInteger(m.timeUnixNano)&&!(m.timeUnixNano&&util.isInteger(m.timeUnixNano.low)&&util.isInteger(m.timeUnixNano.high)))
  return"timeUnixNano: integer|Long expected"
  }
  if(m.count!=null&&Object.hasOwnProperty.call(m,"count")){
  if(!util.isInteger(m.count)&&!(m.count&&util.isInteger(m.count.low)&&util.isInteger(m.count.high)))
  return"count: integer|Long expected"
  }
  if(m.sum!=null&&Object.hasOwnProperty.call(m,"sum")){
  if(typeof m.sum!=="number")
  return"sum: number expected"
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".ExponentialHistogramDataPoint: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.attributes){
  if(!Array.isArray(d.attributes))
  throw TypeError(".ExponentialHistogramDataPoint.attributes: array expected")
  m.attributes=Array(d.attributes.length)
  for(var i=0;i<d.attributes.length;++i){
  if(!util.isObject(d.attributes[i]))
  throw TypeError(".ExponentialHistogramDataPoint.attributes: object expected")
  m.attributes[i]=types[0].fromObject(d.attributes[i],q+1)
  }
  }
  if(d.startTimeUnixNano!=null){
  if(typeof d.startTimeUnixNano==="object"?d.startTimeUnixNano.low||d.startTimeUnixNano.high:Number(d.startTimeUnixNano)!==0){
  if(util.Long)
  m.startTimeUnixNano=util.Long.fromValue(d.startTimeUnixNano,true)
  else if(typeof d.startTimeUnixNano==="string")
  m.startTimeUnixNano=parseInt(d.startTimeUnixNano,10)
  else if(typeof d.startTimeUnixNano==="number")
  m.startTimeUnixNano=d.startTimeUnixNano
  else if(typeof d.startTimeUnixNano==="object")
  m.startTimeUnixNano=new util.LongBits(d.startTimeUnixNano.low>>>0,d.startTimeUnixNano.high>>>0).toNumber(true)
  }
  }
  if(d.timeUnixNano!=null){
  if(typeof d.timeUnixNano==="object"?d.timeUnixNano.low||d.timeUnixNano.high:Number(d.timeUnixNano)!==0){
  if(util.Long)
  m.timeUnixNano=util.Long.fromValue(d.timeUnixNano,true)
  else if(typeof d.timeUnixNano==="string")
  m.timeUnixNano=parseInt(d.timeUnixNano,10)
  else if(typeof d.timeUnixNano==="number")
  m.timeUnixNano=d.timeUnixNano
  else if(typeof d.timeUnixNano==="object")
  m.timeUnixNano=new util.LongBits(d.timeUnixNano.low>>>0,d.timeUnixNano.high>>>0).toNumber(true)
  }
  }
  if(d.count!=null){
  if(typeof d.count==="object"?d.count.low||d.count.high:Number(d.count)!==0){
  if(util.Long)
  m.count=util.Long.fromValue(d.count,true)
  else if(typeof d.count==="string")
  m.count=parseInt(d.count,10)
  else if(typeof d.count==="number")
  m.count=d.count
  else if(typeof d.count==="object")
  m.count=new util.LongBits(d.count.low>>>0,d.count.high>>>0).toNumber(true)
  }
  }
  if(d.sum!=null){
  if(!Object.is(Number(d.sum),0)){
  m.sum=Number(d.sum)
  }
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.arrays||o.defaults){
  d.attributes=[]
  }
  if(o.defaults){
  if(util.Long){
  var n=new util.Long(0,0,true)
  d.startTimeUnixNano=o.longs===String?n.toString():o.longs===Number?n.toNumber():typeof BigInt!=="undefined"&&o.longs===BigInt?n.toBigInt():n
  }else
  d.startTimeUnixNano=o.longs===String?"0":typeof BigInt!=="undefined"&&o.longs===BigInt?BigInt("0"):0
  if(util.Long){
  var n=new util.Long(0,0,true)
  d.timeUnixNano=o.longs===String?n.toString():o.longs===Number?n.toNumber():typeof BigInt!=="undefined"&&o.longs===BigInt?n.toBigInt():n
  }else
  d.timeUnixNano=o.longs===String?"0":typeof BigInt!=="undefined"&&o.longs===BigInt?BigInt("0"):0
  if(util.Long){
  var n=new util.Long(0,0,true)
  d.count=o.longs===String?n.toString():o.longs===Number?n.toNumber():typeof BigInt!=="undefined"&&o.longs===BigInt?n.toBigInt():n
  }else
  d.count=o.longs===String?"0":typeof BigInt!=="undefined"&&o.longs===BigInt?BigInt("0"):0
  d.sum=0
  }
  if(m.attributes&&m.attributes.length){
  d.attributes=Array(m.attributes.length)
  for(var j=0;j<m.attributes.length;++j){
  d.attributes[j]=types[0].toObject(m.attributes[j],o,q+1)
  }
  }
  if(m.startTimeUnixNano!=null&&Object.hasOwnProperty.call(m,"startTimeUnixNano")){
  if(typeof BigInt!=="undefined"&&o.longs===BigInt)
  d.startTimeUnixNano=typeof m.startTimeUnixNano==="number"?BigInt(m.startTimeUnixNano):util.Long.fromBits(m.startTimeUnixNano.low>>>0,m.startTimeUnixNano.high>>>0,true).toBigInt()
  else if(typeof m.startTimeUnixNano==="number")
  d.startTimeUnixNano=o.longs===String?String(m.startTimeUnixNano):m.startTimeUnixNano
  else
  d.startTimeUnixNano=o.longs===String?util.Long.prototype.toString.call(m.startTimeUnixNano):o.longs===Number?new util.LongBits(m.startTimeUnixNano.low>>>0,m.startTimeUnixNano.high>>>0).toNumber(true):m.startTimeUnixNano
  }
  if(m.timeUnixNano!=null&&Object.hasOwnProperty.call(m,"timeUnixNano")){
  if(typeof BigInt!=="undefined"&&o.longs===BigInt)
  d.timeUnixNano=typeof m.timeUnixNano==="number"?BigInt(m.timeUnixNano):util.Long.fromBits(m.timeUnixNano.low>>>0,m.timeUnixNano.high>>>0,true).toBigInt()
  else if(typeof m.timeUnixNano==="number")
  d.timeUnixNano=o.longs===String?String(m.timeUnixNano):m.timeUnixNano
  else
  d.timeUnixNano=o.longs===String?util.Long.prototype.toString.call(m.timeUnixNano):o.longs===Number?new util.LongBits(m.timeUnixNano.low>>>0,m.timeUnixNano.high>>>0).toNumber(true):m.timeUnixNano
  }
  if(m.count!=null&&Object.hasOwnProperty.call(m,"count")){
  if(typeof BigInt!=="undefined"&&o.longs===BigInt)
  d.count=typeof m.count==="number"?BigInt(m.count):util.Long.fromBits(m.count.low>>>0,m.count.high>>>0,true).toBigInt()
  else if(typeof m.count==="number")
  d.count=o.longs===String?String(m.count):m.count
  else
  d.count=o.longs===String?util.Long.prototype.toString.call(m.count):o.longs===Number?new util.LongBits(m.count.low>>>0,m.count.high>>>0).toNumber(true):m.count
  }
  if(m.sum!=null&&Object.hasOwnProperty.call(m,"sum")){
  d.sum=o.json&&!isFinite(m.sum)?String(m.sum):m.sum
  }
  return d
},
  },
  ".ExportMetricsServiceResponse": {
    ctor: function (p){
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.partialSuccess!=null&&Object.hasOwnProperty.call(m,"partialSuccess"))
  types[0].encode(m.partialSuccess,w.uint32(10).fork(),q+1).ldelim()
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m,v
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:{
  if(u!==2)
  break
  m.partialSuccess=types[0].decode(r,r.size(),undefined,q+1,m.partialSuccess)
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.partialSuccess!=null&&Object.hasOwnProperty.call(m,"partialSuccess")){
  {
  var e=types[0].verify(m.partialSuccess,q+1);
  if(e)
  return"partialSuccess."+e
  }
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".ExportMetricsServiceResponse: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.partialSuccess!=null){
  if(!util.isObject(d.partialSuccess))
  throw TypeError(".ExportMetricsServiceResponse.partialSuccess: object expected")
  m.partialSuccess=types[0].fromObject(d.partialSuccess,q+1)
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.defaults){
  d.partialSuccess=null
  }
  if(m.partialSuccess!=null&&Object.hasOwnProperty.call(m,"partialSuccess")){
  d.partialSuccess=types[0].toObject(m.partialSuccess,o,q+1)
  }
  return d
},
  },
  ".ExportMetricsPartialSuccess": {
    ctor: function (p){
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.rejectedDataPoints!=null&&Object.hasOwnProperty.call(m,"rejectedDataPoints")&&(typeof m.rejectedDataPoints==="object"?m.rejectedDataPoints.low||m.rejectedDataPoints.high:m.rejectedDataPoints!==0))
  w.uint32(8).int64(m.rejectedDataPoints)
  if(m.errorMessage!=null&&Object.hasOwnProperty.call(m,"errorMessage")&&m.errorMessage!=="")
  w.uint32(18).string(m.errorMessage)
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m,v
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:{
  if(u!==0)
  break
  if(typeof(v=r.int64())==="object"?v.low||v.high:v!==0)
  m.rejectedDataPoints=v
  else
  delete m.rejectedDataPoints
  continue
  }
  case 2:{
  if(u!==2)
  break
  if((v=r.stringVerify()).length)
  m.errorMessage=v
  else
  delete m.errorMessage
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.rejectedDataPoints!=null&&Object.hasOwnProperty.call(m,"rejectedDataPoints")){
  if(!util.isInteger(m.rejectedDataPoints)&&!(m.rejectedDataPoints&&util.isInteger(m.rejectedDataPoints.low)&&util.isInteger(m.rejectedDataPoints.high)))
  return"rejectedDataPoints: integer|Long expected"
  }
  if(m.errorMessage!=null&&Object.hasOwnProperty.call(m,"errorMessage")){
  if(!util.isString(m.errorMessage))
  return"errorMessage: string expected"
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".ExportMetricsPartialSuccess: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.rejectedDataPoints!=null){
  if(typeof d.rejectedDataPoints==="object"?d.rejectedDataPoints.low||d.rejectedDataPoints.high:Number(d.rejectedDataPoints)!==0){
  if(util.Long)
  m.rejectedDataPoints=util.Long.fromValue(d.rejectedDataPoints,false)
  else if(typeof d.rejectedDataPoints==="string")
  m.rejectedDataPoints=parseInt(d.rejectedDataPoints,10)
  else if(typeof d.rejectedDataPoints==="number")
  m.rejectedDataPoints=d.rejectedDataPoints
  else if(typeof d.rejectedDataPoints==="object")
  m.rejectedDataPoints=new util.LongBits(d.rejectedDataPoints.low>>>0,d.rejectedDataPoints.high>>>0).toNumber()
  }
  }
  if(d.errorMessage!=null){
  if(typeof d.errorMessage!=="string"||d.errorMessage.length){
  m.errorMessage=String(d.errorMessage)
  }
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.defaults){
  if(util.Long){
  var n=new util.Long(0,0,false)
  d.rejectedDataPoints=o.longs===String?n.toString():o.longs===Number?n.toNumber():typeof BigInt!=="undefined"&&o.longs===BigInt?n.toBigInt():n
  }else
  d.rejectedDataPoints=o.longs===String?"0":typeof BigInt!=="undefined"&&o.longs===BigInt?BigInt("0"):0
  d.errorMessage=""
  }
  if(m.rejectedDataPoints!=null&&Object.hasOwnProperty.call(m,"rejectedDataPoints")){
  if(typeof BigInt!=="undefined"&&o.longs===BigInt)
  d.rejectedDataPoints=typeof m.rejectedDataPoints==="number"?BigInt(m.rejectedDataPoints):util.Long.fromBits(m.rejectedDataPoints.low>>>0,m.rejectedDataPoints.high>>>0,false).toBigInt()
  else if(typeof m.rejectedDataPoints==="number")
  d.rejectedDataPoints=o.longs===String?String(m.rejectedDataPoints):m.rejectedDataPoints
  else
  d.rejectedDataPoints=o.longs===String?util.Long.prototype.toString.call(m.rejectedDataPoints):o.longs===Number?new util.LongBits(m.rejectedDataPoints.low>>>0,m.rejectedDataPoints.high>>>0).toNumber():m.rejectedDataPoints
  }
  if(m.errorMessage!=null&&Object.hasOwnProperty.call(m,"errorMessage")){
  d.errorMessage=m.errorMessage
  }
  return d
},
  },
  ".ExportLogsServiceRequest": {
    ctor: function (p){
  this.resourceLogs=[]
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.resourceLogs!=null&&m.resourceLogs.length){
  for(var i=0;i<m.resourceLogs.length;++i)
  types[0].encode(m.resourceLogs[i],w.uint32(10).fork(),q+1).ldelim()
  }
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:
  {
  if(u!==2)
  break
  if(!(m.resourceLogs&&m.resourceLogs.length))
  m.resourceLogs=[]
  m.resourceLogs.push(types[0].decode(r,r.size(),undefined,q+1))
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.resourceLogs!=null&&Object.hasOwnProperty.call(m,"resourceLogs")){
  if(!Array.isArray(m.resourceLogs))
  return"resourceLogs: array expected"
  for(var i=0;i<m.resourceLogs.length;++i){
  {
  var e=types[0].verify(m.resourceLogs[i],q+1);
  if(e)
  return"resourceLogs."+e
  }
  }
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".ExportLogsServiceRequest: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.resourceLogs){
  if(!Array.isArray(d.resourceLogs))
  throw TypeError(".ExportLogsServiceRequest.resourceLogs: array expected")
  m.resourceLogs=Array(d.resourceLogs.length)
  for(var i=0;i<d.resourceLogs.length;++i){
  if(!util.isObject(d.resourceLogs[i]))
  throw TypeError(".ExportLogsServiceRequest.resourceLogs: object expected")
  m.resourceLogs[i]=types[0].fromObject(d.resourceLogs[i],q+1)
  }
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.arrays||o.defaults){
  d.resourceLogs=[]
  }
  if(m.resourceLogs&&m.resourceLogs.length){
  d.resourceLogs=Array(m.resourceLogs.length)
  for(var j=0;j<m.resourceLogs.length;++j){
  d.resourceLogs[j]=types[0].toObject(m.resourceLogs[j],o,q+1)
  }
  }
  return d
},
  },
  ".ResourceLogs": {
    ctor: function (p){
  this.scopeLogs=[]
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.resource!=null&&Object.hasOwnProperty.call(m,"resource"))
  types[0].encode(m.resource,w.uint32(10).fork(),q+1).ldelim()
  if(m.scopeLogs!=null&&m.scopeLogs.length){
  for(var i=0;i<m.scopeLogs.length;++i)
  types[1].encode(m.scopeLogs[i],w.uint32(18).fork(),q+1).ldelim()
  }
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m,v
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:{
  if(u!==2)
  break
  m.resource=types[0].decode(r,r.size(),undefined,q+1,m.resource)
  continue
  }
  case 2:
  {
  if(u!==2)
  break
  if(!(m.scopeLogs&&m.scopeLogs.length))
  m.scopeLogs=[]
  m.scopeLogs.push(types[1].decode(r,r.size(),undefined,q+1))
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.resource!=null&&Object.hasOwnProperty.call(m,"resource")){
  {
  var e=types[0].verify(m.resource,q+1);
  if(e)
  return"resource."+e
  }
  }
  if(m.scopeLogs!=null&&Object.hasOwnProperty.call(m,"scopeLogs")){
  if(!Array.isArray(m.scopeLogs))
  return"scopeLogs: array expected"
  for(var i=0;i<m.scopeLogs.length;++i){
  {
  var e=types[1].verify(m.scopeLogs[i],q+1);
  if(e)
  return"scopeLogs."+e
  }
  }
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".ResourceLogs: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.resource!=null){
  if(!util.isObject(d.resource))
  throw TypeError(".ResourceLogs.resource: object expected")
  m.resource=types[0].fromObject(d.resource,q+1)
  }
  if(d.scopeLogs){
  if(!Array.isArray(d.scopeLogs))
  throw TypeError(".ResourceLogs.scopeLogs: array expected")
  m.scopeLogs=Array(d.scopeLogs.length)
  for(var i=0;i<d.scopeLogs.length;++i){
  if(!util.isObject(d.scopeLogs[i]))
  throw TypeError(".ResourceLogs.scopeLogs: object expected")
  m.scopeLogs[i]=types[1].fromObject(d.scopeLogs[i],q+1)
  }
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.arrays||o.defaults){
  d.scopeLogs=[]
  }
  if(o.defaults){
  d.resource=null
  }
  if(m.resource!=null&&Object.hasOwnProperty.call(m,"resource")){
  d.resource=types[0].toObject(m.resource,o,q+1)
  }
  if(m.scopeLogs&&m.scopeLogs.length){
  d.scopeLogs=Array(m.scopeLogs.length)
  for(var j=0;j<m.scopeLogs.length;++j){
  d.scopeLogs[j]=types[1].toObject(m.scopeLogs[j],o,q+1)
  }
  }
  return d
},
  },
  ".ScopeLogs": {
    ctor: function (p){
  this.logRecords=[]
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.scope!=null&&Object.hasOwnProperty.call(m,"scope"))
  types[0].encode(m.scope,w.uint32(10).fork(),q+1).ldelim()
  if(m.logRecords!=null&&m.logRecords.length){
  for(var i=0;i<m.logRecords.length;++i)
  types[1].encode(m.logRecords[i],w.uint32(18).fork(),q+1).ldelim()
  }
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m,v
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:{
  if(u!==2)
  break
  m.scope=types[0].decode(r,r.size(),undefined,q+1,m.scope)
  continue
  }
  case 2:
  {
  if(u!==2)
  break
  if(!(m.logRecords&&m.logRecords.length))
  m.logRecords=[]
  m.logRecords.push(types[1].decode(r,r.size(),undefined,q+1))
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.scope!=null&&Object.hasOwnProperty.call(m,"scope")){
  {
  var e=types[0].verify(m.scope,q+1);
  if(e)
  return"scope."+e
  }
  }
  if(m.logRecords!=null&&Object.hasOwnProperty.call(m,"logRecords")){
  if(!Array.isArray(m.logRecords))
  return"logRecords: array expected"
  for(var i=0;i<m.logRecords.length;++i){
  {
  var e=types[1].verify(m.logRecords[i],q+1);
  if(e)
  return"logRecords."+e
  }
  }
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".ScopeLogs: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.scope!=null){
  if(!util.isObject(d.scope))
  throw TypeError(".ScopeLogs.scope: object expected")
  m.scope=types[0].fromObject(d.scope,q+1)
  }
  if(d.logRecords){
  if(!Array.isArray(d.logRecords))
  throw TypeError(".ScopeLogs.logRecords: array expected")
  m.logRecords=Array(d.logRecords.length)
  for(var i=0;i<d.logRecords.length;++i){
  if(!util.isObject(d.logRecords[i]))
  throw TypeError(".ScopeLogs.logRecords: object expected")
  m.logRecords[i]=types[1].fromObject(d.logRecords[i],q+1)
  }
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.arrays||o.defaults){
  d.logRecords=[]
  }
  if(o.defaults){
  d.scope=null
  }
  if(m.scope!=null&&Object.hasOwnProperty.call(m,"scope")){
  d.scope=types[0].toObject(m.scope,o,q+1)
  }
  if(m.logRecords&&m.logRecords.length){
  d.logRecords=Array(m.logRecords.length)
  for(var j=0;j<m.logRecords.length;++j){
  d.logRecords[j]=types[1].toObject(m.logRecords[j],o,q+1)
  }
  }
  return d
},
  },
  ".LogRecord": {
    ctor: function (p){
  this.attributes=[]
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.timeUnixNano!=null&&Object.hasOwnProperty.call(m,"timeUnixNano")&&(typeof m.timeUnixNano==="object"?m.timeUnixNano.low||m.timeUnixNano.high:m.timeUnixNano!==0))
  w.uint32(9).fixed64(m.timeUnixNano)
  if(m.body!=null&&Object.hasOwnProperty.call(m,"body"))
  types[2].encode(m.body,w.uint32(42).fork(),q+1).ldelim()
  if(m.attributes!=null&&m.attributes.length){
  for(var i=0;i<m.attributes.length;++i)
  types[3].encode(m.attributes[i],w.uint32(50).fork(),q+1).ldelim()
  }
  if(m.observedTimeUnixNano!=null&&Object.hasOwnProperty.call(m,"observedTimeUnixNano")&&(typeof m.observedTimeUnixNano==="object"?m.observedTimeUnixNano.low||m.observedTimeUnixNano.high:m.observedTimeUnixNano!==0))
  w.uint32(89).fixed64(m.observedTimeUnixNano)
  if(m.eventName!=null&&Object.hasOwnProperty.call(m,"eventName")&&m.eventName!=="")
  w.uint32(98).string(m.eventName)
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m,v
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:{
  if(u!==1)
  break
  if(typeof(v=r.fixed64())==="object"?v.low||v.high:v!==0)
  m.timeUnixNano=v
  else
  delete m.timeUnixNano
  continue
  }
  case 11:{
  if(u!==1)
  break
  if(typeof(v=r.fixed64())==="object"?v.low||v.high:v!==0)
  m.observedTimeUnixNano=v
  else
  delete m.observedTimeUnixNano
  continue
  }
  case 5:{
  if(u!==2)
  break
  m.body=types[2].decode(r,r.size(),undefined,q+1,m.body)
  continue
  }
  case 6:
  {
  if(u!==2)
  break
  if(!(m.attributes&&m.attributes.length))
  m.attributes=[]
  m.attributes.push(types[3].decode(r,r.size(),undefined,q+1))
  continue
  }
  case 12:{
  if(u!==2)
  break
  if((v=r.stringVerify()).length)
  m.eventName=v
  else
  delete m.eventName
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.timeUnixNano!=null&&Object.hasOwnProperty.call(m,"timeUnixNano")){
  if(!util.isInteger(m.timeUnixNano)&&!(m.timeUnixNano&&util.isInteger(m.timeUnixNano.low)&&util.isInteger(m.timeUnixNano.high)))
  return"timeUnixNano: integer|Long expected"
  }
  if(m.observedTimeUnixNano!=null&&Object.hasOwnProperty.call(m,"observedTimeUnixNano")){
  if(!util.isInteger(m.observedTimeUnixNano)&&!(m.observedTimeUnixNano&&util.isInteger(m.observedTimeUnixNano.low)&&util.isInteger(m.observedTimeUnixNano.high)))
  return"observedTimeUnixNano: integer|Long expected"
  }
  if(m.body!=null&&Object.hasOwnProperty.call(m,"body")){
  {
  var e=types[2].verify(m.body,q+1);
  if(e)
  return"body."+e
  }
  }
  if(m.attributes!=null&&Object.hasOwnProperty.call(m,"attributes")){
  if(!Array.isArray(m.attributes))
  return"attributes: array expected"
  for(var i=0;i<m.attributes.length;++i){
  {
  var e=types[3].verify(m.attributes[i],q+1);
  if(e)
  return"attributes."+e
  }
  }
  }
  if(m.eventName!=null&&Object.hasOwnProperty.call(m,"eventName")){
  if(!util.isString(m.eventName))
  return"eventName: string expected"
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".LogRecord: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.timeUnixNano!=null){
  if(typeof d.timeUnixNano==="object"?d.timeUnixNano.low||d.timeUnixNano.high:Number(d.timeUnixNano)!==0){
  if(util.Long)
  m.timeUnixNano=util.Long.fromValue(d.timeUnixNano,true)
  else if(typeof d.timeUnixNano==="string")
  m.timeUnixNano=parseInt(d.timeUnixNano,10)
  else if(typeof d.timeUnixNano==="number")
  m.timeUnixNano=d.timeUnixNano
  else if(typeof d.timeUnixNano==="object")
  m.timeUnixNano=new util.LongBits(d.timeUnixNano.low>>>0,d.timeUnixNano.high>>>0).toNumber(true)
  }
  }
  if(d.observedTimeUnixNano!=null){
  if(typeof d.observedTimeUnixNano==="object"?d.observedTimeUnixNano.low||d.observedTimeUnixNano.high:Number(d.observedTimeUnixNano)!==0){
  if(util.Long)
  m.observedTimeUnixNano=util.Long.fromValue(d.observedTimeUnixNano,true)
  else if(typeof d.observedTimeUnixNano==="string")
  m.observedTimeUnixNano=parseInt(d.observedTimeUnixNano,10)
  else if(typeof d.observedTimeUnixNano==="number")
  m.observedTimeUnixNano=d.observedTimeUnixNano
  else if(typeof d.observedTimeUnixNano==="object")
  m.observedTimeUnixNano=new util.LongBits(d.observedTimeUnixNano.low>>>0,d.observedTimeUnixNano.high>>>0).toNumber(true)
  }
  }
  if(d.body!=null){
  if(!util.isObject(d.body))
  throw TypeError(".LogRecord.body: object expected")
  m.body=types[2].fromObject(d.body,q+1)
  }
  if(d.attributes){
  if(!Array.isArray(d.attributes))
  throw TypeError(".LogRecord.attributes: array expected")
  m.attributes=Array(d.attributes.length)
  for(var i=0;i<d.attributes.length;++i){
  if(!util.isObject(d.attributes[i]))
  throw TypeError(".LogRecord.attributes: object expected")
  m.attributes[i]=types[3].fromObject(d.attributes[i],q+1)
  }
  }
  if(d.eventName!=null){
  if(typeof d.eventName!=="string"||d.eventName.length){
  m.eventName=String(d.eventName)
  }
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.arrays||o.defaults){
  d.attributes=[]
  }
  if(o.defaults){
  if(util.Long){
  var n=new util.Long(0,0,true)
  d.timeUnixNano=o.longs===String?n.toString():o.longs===Number?n.toNumber():typeof BigInt!=="undefined"&&o.longs===BigInt?n.toBigInt():n
  }else
  d.timeUnixNano=o.longs===String?"0":typeof BigInt!=="undefined"&&o.longs===BigInt?BigInt("0"):0
  d.body=null
  if(util.Long){
  var n=new util.Long(0,0,true)
  d.observedTimeUnixNano=o.longs===String?n.toString():o.longs===Number?n.toNumber():typeof BigInt!=="undefined"&&o.longs===BigInt?n.toBigInt():n
  }else
  d.observedTimeUnixNano=o.longs===String?"0":typeof BigInt!=="undefined"&&o.longs===BigInt?BigInt("0"):0
  d.eventName=""
  }
  if(m.timeUnixNano!=null&&Object.hasOwnProperty.call(m,"timeUnixNano")){
  if(typeof BigInt!=="undefined"&&o.longs===BigInt)
  d.timeUnixNano=typeof m.timeUnixNano==="number"?BigInt(m.timeUnixNano):util.Long.fromBits(m.timeUnixNano.low>>>0,m.timeUnixNano.high>>>0,true).toBigInt()
  else if(typeof m.timeUnixNano==="number")
  d.timeUnixNano=o.longs===String?String(m.timeUnixNano):m.timeUnixNano
  else
  d.timeUnixNano=o.longs===String?util.Long.prototype.toString.call(m.timeUnixNano):o.longs===Number?new util.LongBits(m.timeUnixNano.low>>>0,m.timeUnixNano.high>>>0).toNumber(true):m.timeUnixNano
  }
  if(m.body!=null&&Object.hasOwnProperty.call(m,"body")){
  d.body=types[2].toObject(m.body,o,q+1)
  }
  if(m.attributes&&m.attributes.length){
  d.attributes=Array(m.attributes.length)
  for(var j=0;j<m.attributes.length;++j){
  d.attributes[j]=types[3].toObject(m.attributes[j],o,q+1)
  }
  }
  if(m.observedTimeUnixNano!=null&&Object.hasOwnProperty.call(m,"observedTimeUnixNano")){
  if(typeof BigInt!=="undefined"&&o.longs===BigInt)
  d.observedTimeUnixNano=typeof m.observedTimeUnixNano==="number"?BigInt(m.observedTimeUnixNano):util.Long.fromBits(m.observedTimeUnixNano.low>>>0,m.observedTimeUnixNano.high>>>0,true).toBigInt()
  else if(typeof m.observedTimeUnixNano==="number")
  d.observedTimeUnixNano=o.longs===String?String(m.observedTimeUnixNano):m.observedTimeUnixNano
  else
  d.observedTimeUnixNano=o.longs===String?util.Long.prototype.toString.call(m.observedTimeUnixNano):o.longs===Number?new util.LongBits(m.observedTimeUnixNano.low>>>0,m.observedTimeUnixNano.high>>>0).toNumber(true):m.observedTimeUnixNano
  }
  if(m.eventName!=null&&Object.hasOwnProperty.call(m,"eventName")){
  d.eventName=m.eventName
  }
  return d
},
  },
  ".ExportLogsServiceResponse": {
    ctor: function (p){
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.partialSuccess!=null&&Object.hasOwnProperty.call(m,"partialSuccess"))
  types[0].encode(m.partialSuccess,w.uint32(10).fork(),q+1).ldelim()
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m,v
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:{
  if(u!==2)
  break
  m.partialSuccess=types[0].decode(r,r.size(),undefined,q+1,m.partialSuccess)
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.partialSuccess!=null&&Object.hasOwnProperty.call(m,"partialSuccess")){
  {
  var e=types[0].verify(m.partialSuccess,q+1);
  if(e)
  return"partialSuccess."+e
  }
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".ExportLogsServiceResponse: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.partialSuccess!=null){
  if(!util.isObject(d.partialSuccess))
  throw TypeError(".ExportLogsServiceResponse.partialSuccess: object expected")
  m.partialSuccess=types[0].fromObject(d.partialSuccess,q+1)
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.defaults){
  d.partialSuccess=null
  }
  if(m.partialSuccess!=null&&Object.hasOwnProperty.call(m,"partialSuccess")){
  d.partialSuccess=types[0].toObject(m.partialSuccess,o,q+1)
  }
  return d
},
  },
  ".ExportLogsPartialSuccess": {
    ctor: function (p){
  if(p)for(var ks=Object.keys(p),i=0;i<ks.length;++i)if(p[ks[i]]!=null&&ks[i]!=="__proto__")
  this[ks[i]]=p[ks[i]]
},
    encode: ({ Writer, types, util }) => function (m,w,q){
  if(!w)
  w=Writer.create()
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  if(m.rejectedLogRecords!=null&&Object.hasOwnProperty.call(m,"rejectedLogRecords")&&(typeof m.rejectedLogRecords==="object"?m.rejectedLogRecords.low||m.rejectedLogRecords.high:m.rejectedLogRecords!==0))
  w.uint32(8).int64(m.rejectedLogRecords)
  if(m.errorMessage!=null&&Object.hasOwnProperty.call(m,"errorMessage")&&m.errorMessage!=="")
  w.uint32(18).string(m.errorMessage)
  if(m.$unknowns!=null&&Object.hasOwnProperty.call(m,"$unknowns"))
  for(var i=0;i<m.$unknowns.length;++i)
  w.raw(m.$unknowns[i])
  return w
},
    decode: ({ Reader, types, util, C }) => function (r,l,z,q,g){
  if(!(r instanceof Reader))
  r=Reader.create(r)
  if(q===undefined)q=0
  if(q>Reader.recursionLimit)
  throw Error("max depth exceeded")
  var c,m,v
  if(l===undefined)
  c=r.len
  else{
  c=r.pos+l
  if(c>r.len)
  throw RangeError("index out of range")
  l=r.len
  r.len=c
  }
  m=g||new C
  while(r.pos<c){
  var s=r.pos
  var t=r.tag()
  if(t===z){
  z=undefined
  break
  }
  var u=t&7
  switch(t>>>=3){
  case 1:{
  if(u!==0)
  break
  if(typeof(v=r.int64())==="object"?v.low||v.high:v!==0)
  m.rejectedLogRecords=v
  else
  delete m.rejectedLogRecords
  continue
  }
  case 2:{
  if(u!==2)
  break
  if((v=r.stringVerify()).length)
  m.errorMessage=v
  else
  delete m.errorMessage
  continue
  }
  }
  r.skipType(u,q,t)
  if(!r.discardUnknown){
  util.makeProp(m,"$unknowns",false);
  (m.$unknowns||(m.$unknowns=[])).push(r.raw(s,r.pos))
  }
  }
  if(l!==undefined){
  if(r.pos!==c)
  throw RangeError("index out of range")
  r.len=l
  }
  if(z!==undefined)
  throw Error("missing end group")
  return m
},
    verify: ({ types, util }) => function (m,q){
  if(typeof m!=="object"||m===null)
  return"object expected"
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  return"max depth exceeded"
  if(m.rejectedLogRecords!=null&&Object.hasOwnProperty.call(m,"rejectedLogRecords")){
  if(!util.isInteger(m.rejectedLogRecords)&&!(m.rejectedLogRecords&&util.isInteger(m.rejectedLogRecords.low)&&util.isInteger(m.rejectedLogRecords.high)))
  return"rejectedLogRecords: integer|Long expected"
  }
  if(m.errorMessage!=null&&Object.hasOwnProperty.call(m,"errorMessage")){
  if(!util.isString(m.errorMessage))
  return"errorMessage: string expected"
  }
  return null
},
    fromObject: ({ types, util, C }) => function (d,q){
  if(d instanceof C)
  return d
  if(!util.isObject(d))
  throw TypeError(".ExportLogsPartialSuccess: object expected")
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var m=new C
  if(d.rejectedLogRecords!=null){
  if(typeof d.rejectedLogRecords==="object"?d.rejectedLogRecords.low||d.rejectedLogRecords.high:Number(d.rejectedLogRecords)!==0){
  if(util.Long)
  m.rejectedLogRecords=util.Long.fromValue(d.rejectedLogRecords,false)
  else if(typeof d.rejectedLogRecords==="string")
  m.rejectedLogRecords=parseInt(d.rejectedLogRecords,10)
  else if(typeof d.rejectedLogRecords==="number")
  m.rejectedLogRecords=d.rejectedLogRecords
  else if(typeof d.rejectedLogRecords==="object")
  m.rejectedLogRecords=new util.LongBits(d.rejectedLogRecords.low>>>0,d.rejectedLogRecords.high>>>0).toNumber()
  }
  }
  if(d.errorMessage!=null){
  if(typeof d.errorMessage!=="string"||d.errorMessage.length){
  m.errorMessage=String(d.errorMessage)
  }
  }
  return m
},
    toObject: ({ types, util }) => function (m,o,q){
  if(!o)
  o={}
  if(q===undefined)q=0
  if(q>util.recursionLimit)
  throw Error("max depth exceeded")
  var d={}
  if(o.defaults){
  if(util.Long){
  var n=new util.Long(0,0,false)
  d.rejectedLogRecords=o.longs===String?n.toString():o.longs===Number?n.toNumber():typeof BigInt!=="undefined"&&o.longs===BigInt?n.toBigInt():n
  }else
  d.rejectedLogRecords=o.longs===String?"0":typeof BigInt!=="undefined"&&o.longs===BigInt?BigInt("0"):0
  d.errorMessage=""
  }
  if(m.rejectedLogRecords!=null&&Object.hasOwnProperty.call(m,"rejectedLogRecords")){
  if(typeof BigInt!=="undefined"&&o.longs===BigInt)
  d.rejectedLogRecords=typeof m.rejectedLogRecords==="number"?BigInt(m.rejectedLogRecords):util.Long.fromBits(m.rejectedLogRecords.low>>>0,m.rejectedLogRecords.high>>>0,false).toBigInt()
  else if(typeof m.rejectedLogRecords==="number")
  d.rejectedLogRecords=o.longs===String?String(m.rejectedLogRecords):m.rejectedLogRecords
  else
  d.rejectedLogRecords=o.longs===String?util.Long.prototype.toString.call(m.rejectedLogRecords):o.longs===Number?new util.LongBits(m.rejectedLogRecords.low>>>0,m.rejectedLogRecords.high>>>0).toNumber():m.rejectedLogRecords
  }
  if(m.errorMessage!=null&&Object.hasOwnProperty.call(m,"errorMessage")){
  d.errorMessage=m.errorMessage
  }
  return d
},
  },
};
