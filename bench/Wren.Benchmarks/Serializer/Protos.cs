using Google.Protobuf;
using Google.Protobuf.Collections;
using Google.Protobuf.Reflection;

namespace Wren.Benchmarks.Serializer;

// Hand-written equivalents of what protoc 3.25 generates for serializer_bench.proto (there is no protoc here).
// Field numbers, wire types and the encoding logic follow the generated code: a proto3 scalar is written only when it
// is not its default, strings are length-delimited UTF-8, repeated doubles use FieldCodec.ForDouble with the packed
// tag (and also accept the unpacked one when reading), nested messages are length-delimited. Only the reflection
// descriptor is missing: nothing in the benchmark uses it.

/// <summary><c>message CountersMessage</c>: nine int32 fields, numbers 1 to 9, varint wire type.</summary>
public sealed class CountersMessage : IMessage<CountersMessage>, IBufferMessage
{
    private static readonly MessageParser<CountersMessage> ParserInstance = new(() => new CountersMessage());

    private UnknownFieldSet? _unknownFields;
    private int _id;
    private int _count;
    private int _year;
    private int _offset;
    private int _temperature;
    private int _flags;
    private int _population;
    private int _checksum;
    private int _port;

    public CountersMessage()
    {
    }

    public CountersMessage(CountersMessage other)
    {
        _id = other._id;
        _count = other._count;
        _year = other._year;
        _offset = other._offset;
        _temperature = other._temperature;
        _flags = other._flags;
        _population = other._population;
        _checksum = other._checksum;
        _port = other._port;
        _unknownFields = UnknownFieldSet.Clone(other._unknownFields);
    }

    public static MessageParser<CountersMessage> Parser => ParserInstance;

    public static MessageDescriptor Descriptor => throw new NotSupportedException("The hand-written benchmark messages have no reflection descriptor.");

    MessageDescriptor IMessage.Descriptor => Descriptor;

    public int Id { get => _id; set => _id = value; }

    public int Count { get => _count; set => _count = value; }

    public int Year { get => _year; set => _year = value; }

    public int Offset { get => _offset; set => _offset = value; }

    public int Temperature { get => _temperature; set => _temperature = value; }

    public int Flags { get => _flags; set => _flags = value; }

    public int Population { get => _population; set => _population = value; }

    public int Checksum { get => _checksum; set => _checksum = value; }

    public int Port { get => _port; set => _port = value; }

    public CountersMessage Clone() => new(this);

    public override bool Equals(object? obj) => Equals(obj as CountersMessage);

    public bool Equals(CountersMessage? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(other, this)) return true;
        return Id == other.Id && Count == other.Count && Year == other.Year && Offset == other.Offset && Temperature == other.Temperature
            && Flags == other.Flags && Population == other.Population && Checksum == other.Checksum && Port == other.Port
            && Equals(_unknownFields, other._unknownFields);
    }

    public override int GetHashCode()
    {
        int hash = 1;
        if (Id != 0) hash ^= Id.GetHashCode();
        if (Count != 0) hash ^= Count.GetHashCode();
        if (Year != 0) hash ^= Year.GetHashCode();
        if (Offset != 0) hash ^= Offset.GetHashCode();
        if (Temperature != 0) hash ^= Temperature.GetHashCode();
        if (Flags != 0) hash ^= Flags.GetHashCode();
        if (Population != 0) hash ^= Population.GetHashCode();
        if (Checksum != 0) hash ^= Checksum.GetHashCode();
        if (Port != 0) hash ^= Port.GetHashCode();
        if (_unknownFields is not null) hash ^= _unknownFields.GetHashCode();
        return hash;
    }

    public override string ToString() => $"CountersMessage {{ Id = {Id}, Count = {Count}, Year = {Year}, Offset = {Offset}, Temperature = {Temperature}, Flags = {Flags}, Population = {Population}, Checksum = {Checksum}, Port = {Port} }}";

    public void WriteTo(CodedOutputStream output) => output.WriteRawMessage(this);

    void IBufferMessage.InternalWriteTo(ref WriteContext output)
    {
        if (Id != 0) { output.WriteRawTag(8); output.WriteInt32(Id); }
        if (Count != 0) { output.WriteRawTag(16); output.WriteInt32(Count); }
        if (Year != 0) { output.WriteRawTag(24); output.WriteInt32(Year); }
        if (Offset != 0) { output.WriteRawTag(32); output.WriteInt32(Offset); }
        if (Temperature != 0) { output.WriteRawTag(40); output.WriteInt32(Temperature); }
        if (Flags != 0) { output.WriteRawTag(48); output.WriteInt32(Flags); }
        if (Population != 0) { output.WriteRawTag(56); output.WriteInt32(Population); }
        if (Checksum != 0) { output.WriteRawTag(64); output.WriteInt32(Checksum); }
        if (Port != 0) { output.WriteRawTag(72); output.WriteInt32(Port); }
        _unknownFields?.WriteTo(ref output);
    }

    public int CalculateSize()
    {
        int size = 0;
        if (Id != 0) size += 1 + CodedOutputStream.ComputeInt32Size(Id);
        if (Count != 0) size += 1 + CodedOutputStream.ComputeInt32Size(Count);
        if (Year != 0) size += 1 + CodedOutputStream.ComputeInt32Size(Year);
        if (Offset != 0) size += 1 + CodedOutputStream.ComputeInt32Size(Offset);
        if (Temperature != 0) size += 1 + CodedOutputStream.ComputeInt32Size(Temperature);
        if (Flags != 0) size += 1 + CodedOutputStream.ComputeInt32Size(Flags);
        if (Population != 0) size += 1 + CodedOutputStream.ComputeInt32Size(Population);
        if (Checksum != 0) size += 1 + CodedOutputStream.ComputeInt32Size(Checksum);
        if (Port != 0) size += 1 + CodedOutputStream.ComputeInt32Size(Port);
        if (_unknownFields is not null) size += _unknownFields.CalculateSize();
        return size;
    }

    public void MergeFrom(CountersMessage other)
    {
        if (other is null) return;
        if (other.Id != 0) Id = other.Id;
        if (other.Count != 0) Count = other.Count;
        if (other.Year != 0) Year = other.Year;
        if (other.Offset != 0) Offset = other.Offset;
        if (other.Temperature != 0) Temperature = other.Temperature;
        if (other.Flags != 0) Flags = other.Flags;
        if (other.Population != 0) Population = other.Population;
        if (other.Checksum != 0) Checksum = other.Checksum;
        if (other.Port != 0) Port = other.Port;
        _unknownFields = UnknownFieldSet.MergeFrom(_unknownFields, other._unknownFields);
    }

    public void MergeFrom(CodedInputStream input) => input.ReadRawMessage(this);

    void IBufferMessage.InternalMergeFrom(ref ParseContext input)
    {
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            // An end-group tag closes this message when it is read as a group; proto3 has none, so stop like protoc's code.
            if ((tag & 7) == 4) return;
            switch (tag)
            {
                case 8: Id = input.ReadInt32(); break;
                case 16: Count = input.ReadInt32(); break;
                case 24: Year = input.ReadInt32(); break;
                case 32: Offset = input.ReadInt32(); break;
                case 40: Temperature = input.ReadInt32(); break;
                case 48: Flags = input.ReadInt32(); break;
                case 56: Population = input.ReadInt32(); break;
                case 64: Checksum = input.ReadInt32(); break;
                case 72: Port = input.ReadInt32(); break;
                default: _unknownFields = UnknownFieldSet.MergeFieldFrom(_unknownFields, ref input); break;
            }
        }
    }
}

/// <summary><c>message AddressMessage</c>: four strings (fields 1 to 4) and an int32 (field 5).</summary>
public sealed class AddressMessage : IMessage<AddressMessage>, IBufferMessage
{
    private static readonly MessageParser<AddressMessage> ParserInstance = new(() => new AddressMessage());

    private UnknownFieldSet? _unknownFields;
    private string _street = "";
    private string _city = "";
    private string _postalCode = "";
    private string _country = "";
    private int _floor;

    public AddressMessage()
    {
    }

    public AddressMessage(AddressMessage other)
    {
        _street = other._street;
        _city = other._city;
        _postalCode = other._postalCode;
        _country = other._country;
        _floor = other._floor;
        _unknownFields = UnknownFieldSet.Clone(other._unknownFields);
    }

    public static MessageParser<AddressMessage> Parser => ParserInstance;

    public static MessageDescriptor Descriptor => throw new NotSupportedException("The hand-written benchmark messages have no reflection descriptor.");

    MessageDescriptor IMessage.Descriptor => Descriptor;

    public string Street { get => _street; set => _street = ProtoPreconditions.CheckNotNull(value, "value"); }

    public string City { get => _city; set => _city = ProtoPreconditions.CheckNotNull(value, "value"); }

    public string PostalCode { get => _postalCode; set => _postalCode = ProtoPreconditions.CheckNotNull(value, "value"); }

    public string Country { get => _country; set => _country = ProtoPreconditions.CheckNotNull(value, "value"); }

    public int Floor { get => _floor; set => _floor = value; }

    public AddressMessage Clone() => new(this);

    public override bool Equals(object? obj) => Equals(obj as AddressMessage);

    public bool Equals(AddressMessage? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(other, this)) return true;
        return Street == other.Street && City == other.City && PostalCode == other.PostalCode && Country == other.Country && Floor == other.Floor
            && Equals(_unknownFields, other._unknownFields);
    }

    public override int GetHashCode()
    {
        int hash = 1;
        if (Street.Length != 0) hash ^= Street.GetHashCode();
        if (City.Length != 0) hash ^= City.GetHashCode();
        if (PostalCode.Length != 0) hash ^= PostalCode.GetHashCode();
        if (Country.Length != 0) hash ^= Country.GetHashCode();
        if (Floor != 0) hash ^= Floor.GetHashCode();
        if (_unknownFields is not null) hash ^= _unknownFields.GetHashCode();
        return hash;
    }

    public override string ToString() => $"AddressMessage {{ Street = {Street}, City = {City}, PostalCode = {PostalCode}, Country = {Country}, Floor = {Floor} }}";

    public void WriteTo(CodedOutputStream output) => output.WriteRawMessage(this);

    void IBufferMessage.InternalWriteTo(ref WriteContext output)
    {
        if (Street.Length != 0) { output.WriteRawTag(10); output.WriteString(Street); }
        if (City.Length != 0) { output.WriteRawTag(18); output.WriteString(City); }
        if (PostalCode.Length != 0) { output.WriteRawTag(26); output.WriteString(PostalCode); }
        if (Country.Length != 0) { output.WriteRawTag(34); output.WriteString(Country); }
        if (Floor != 0) { output.WriteRawTag(40); output.WriteInt32(Floor); }
        _unknownFields?.WriteTo(ref output);
    }

    public int CalculateSize()
    {
        int size = 0;
        if (Street.Length != 0) size += 1 + CodedOutputStream.ComputeStringSize(Street);
        if (City.Length != 0) size += 1 + CodedOutputStream.ComputeStringSize(City);
        if (PostalCode.Length != 0) size += 1 + CodedOutputStream.ComputeStringSize(PostalCode);
        if (Country.Length != 0) size += 1 + CodedOutputStream.ComputeStringSize(Country);
        if (Floor != 0) size += 1 + CodedOutputStream.ComputeInt32Size(Floor);
        if (_unknownFields is not null) size += _unknownFields.CalculateSize();
        return size;
    }

    public void MergeFrom(AddressMessage other)
    {
        if (other is null) return;
        if (other.Street.Length != 0) Street = other.Street;
        if (other.City.Length != 0) City = other.City;
        if (other.PostalCode.Length != 0) PostalCode = other.PostalCode;
        if (other.Country.Length != 0) Country = other.Country;
        if (other.Floor != 0) Floor = other.Floor;
        _unknownFields = UnknownFieldSet.MergeFrom(_unknownFields, other._unknownFields);
    }

    public void MergeFrom(CodedInputStream input) => input.ReadRawMessage(this);

    void IBufferMessage.InternalMergeFrom(ref ParseContext input)
    {
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if ((tag & 7) == 4) return;
            switch (tag)
            {
                case 10: Street = input.ReadString(); break;
                case 18: City = input.ReadString(); break;
                case 26: PostalCode = input.ReadString(); break;
                case 34: Country = input.ReadString(); break;
                case 40: Floor = input.ReadInt32(); break;
                default: _unknownFields = UnknownFieldSet.MergeFieldFrom(_unknownFields, ref input); break;
            }
        }
    }
}

/// <summary><c>message OrderMessage</c>: three strings, packed <c>repeated double readings = 4</c>, nested <c>ship_to = 5</c>.</summary>
public sealed class OrderMessage : IMessage<OrderMessage>, IBufferMessage
{
    private static readonly MessageParser<OrderMessage> ParserInstance = new(() => new OrderMessage());

    // Packed tag of field 4: (4 << 3) | 2 = 34. The codec writes and reads the packed form.
    private static readonly FieldCodec<double> ReadingsCodec = FieldCodec.ForDouble(34);

    private UnknownFieldSet? _unknownFields;
    private string _id = "";
    private string _customer = "";
    private string _notes = "";
    private readonly RepeatedField<double> _readings = new();
    private AddressMessage? _shipTo;

    public OrderMessage()
    {
    }

    public OrderMessage(OrderMessage other)
    {
        _id = other._id;
        _customer = other._customer;
        _notes = other._notes;
        _readings = other._readings.Clone();
        _shipTo = other._shipTo?.Clone();
        _unknownFields = UnknownFieldSet.Clone(other._unknownFields);
    }

    public static MessageParser<OrderMessage> Parser => ParserInstance;

    public static MessageDescriptor Descriptor => throw new NotSupportedException("The hand-written benchmark messages have no reflection descriptor.");

    MessageDescriptor IMessage.Descriptor => Descriptor;

    public string Id { get => _id; set => _id = ProtoPreconditions.CheckNotNull(value, "value"); }

    public string Customer { get => _customer; set => _customer = ProtoPreconditions.CheckNotNull(value, "value"); }

    public string Notes { get => _notes; set => _notes = ProtoPreconditions.CheckNotNull(value, "value"); }

    public RepeatedField<double> Readings => _readings;

    public AddressMessage? ShipTo { get => _shipTo; set => _shipTo = value; }

    public OrderMessage Clone() => new(this);

    public override bool Equals(object? obj) => Equals(obj as OrderMessage);

    public bool Equals(OrderMessage? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(other, this)) return true;
        return Id == other.Id && Customer == other.Customer && Notes == other.Notes && _readings.Equals(other._readings)
            && Equals(ShipTo, other.ShipTo) && Equals(_unknownFields, other._unknownFields);
    }

    public override int GetHashCode()
    {
        int hash = 1;
        if (Id.Length != 0) hash ^= Id.GetHashCode();
        if (Customer.Length != 0) hash ^= Customer.GetHashCode();
        if (Notes.Length != 0) hash ^= Notes.GetHashCode();
        hash ^= _readings.GetHashCode();
        if (_shipTo is not null) hash ^= ShipTo!.GetHashCode();
        if (_unknownFields is not null) hash ^= _unknownFields.GetHashCode();
        return hash;
    }

    public override string ToString() => $"OrderMessage {{ Id = {Id}, Customer = {Customer}, Notes = {Notes}, Readings = [{_readings.Count} doubles], ShipTo = {ShipTo} }}";

    public void WriteTo(CodedOutputStream output) => output.WriteRawMessage(this);

    void IBufferMessage.InternalWriteTo(ref WriteContext output)
    {
        if (Id.Length != 0) { output.WriteRawTag(10); output.WriteString(Id); }
        if (Customer.Length != 0) { output.WriteRawTag(18); output.WriteString(Customer); }
        if (Notes.Length != 0) { output.WriteRawTag(26); output.WriteString(Notes); }
        _readings.WriteTo(ref output, ReadingsCodec);
        if (_shipTo is not null) { output.WriteRawTag(42); output.WriteMessage(ShipTo); }
        _unknownFields?.WriteTo(ref output);
    }

    public int CalculateSize()
    {
        int size = 0;
        if (Id.Length != 0) size += 1 + CodedOutputStream.ComputeStringSize(Id);
        if (Customer.Length != 0) size += 1 + CodedOutputStream.ComputeStringSize(Customer);
        if (Notes.Length != 0) size += 1 + CodedOutputStream.ComputeStringSize(Notes);
        size += _readings.CalculateSize(ReadingsCodec);
        if (_shipTo is not null) size += 1 + CodedOutputStream.ComputeMessageSize(ShipTo);
        if (_unknownFields is not null) size += _unknownFields.CalculateSize();
        return size;
    }

    public void MergeFrom(OrderMessage other)
    {
        if (other is null) return;
        if (other.Id.Length != 0) Id = other.Id;
        if (other.Customer.Length != 0) Customer = other.Customer;
        if (other.Notes.Length != 0) Notes = other.Notes;
        _readings.Add(other._readings);
        if (other._shipTo is not null)
        {
            _shipTo ??= new AddressMessage();
            _shipTo.MergeFrom(other._shipTo);
        }
        _unknownFields = UnknownFieldSet.MergeFrom(_unknownFields, other._unknownFields);
    }

    public void MergeFrom(CodedInputStream input) => input.ReadRawMessage(this);

    void IBufferMessage.InternalMergeFrom(ref ParseContext input)
    {
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if ((tag & 7) == 4) return;
            switch (tag)
            {
                case 10: Id = input.ReadString(); break;
                case 18: Customer = input.ReadString(); break;
                case 26: Notes = input.ReadString(); break;
                // 34 is the packed form, 33 ((4 << 3) | 1) a writer that did not pack; protoc accepts both.
                case 34:
                case 33: _readings.AddEntriesFrom(ref input, ReadingsCodec); break;
                case 42:
                    _shipTo ??= new AddressMessage();
                    input.ReadMessage(_shipTo);
                    break;
                default: _unknownFields = UnknownFieldSet.MergeFieldFrom(_unknownFields, ref input); break;
            }
        }
    }
}

/// <summary><c>message DoublesMessage</c>: packed <c>repeated double values = 1</c>.</summary>
public sealed class DoublesMessage : IMessage<DoublesMessage>, IBufferMessage
{
    private static readonly MessageParser<DoublesMessage> ParserInstance = new(() => new DoublesMessage());

    // Packed tag of field 1: (1 << 3) | 2 = 10.
    private static readonly FieldCodec<double> ValuesCodec = FieldCodec.ForDouble(10);

    private UnknownFieldSet? _unknownFields;
    private readonly RepeatedField<double> _values = new();

    public DoublesMessage()
    {
    }

    public DoublesMessage(DoublesMessage other)
    {
        _values = other._values.Clone();
        _unknownFields = UnknownFieldSet.Clone(other._unknownFields);
    }

    public static MessageParser<DoublesMessage> Parser => ParserInstance;

    public static MessageDescriptor Descriptor => throw new NotSupportedException("The hand-written benchmark messages have no reflection descriptor.");

    MessageDescriptor IMessage.Descriptor => Descriptor;

    public RepeatedField<double> Values => _values;

    public DoublesMessage Clone() => new(this);

    public override bool Equals(object? obj) => Equals(obj as DoublesMessage);

    public bool Equals(DoublesMessage? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(other, this)) return true;
        return _values.Equals(other._values) && Equals(_unknownFields, other._unknownFields);
    }

    public override int GetHashCode()
    {
        int hash = 1;
        hash ^= _values.GetHashCode();
        if (_unknownFields is not null) hash ^= _unknownFields.GetHashCode();
        return hash;
    }

    public override string ToString() => $"DoublesMessage {{ Values = [{_values.Count} doubles] }}";

    public void WriteTo(CodedOutputStream output) => output.WriteRawMessage(this);

    void IBufferMessage.InternalWriteTo(ref WriteContext output)
    {
        _values.WriteTo(ref output, ValuesCodec);
        _unknownFields?.WriteTo(ref output);
    }

    public int CalculateSize()
    {
        int size = _values.CalculateSize(ValuesCodec);
        if (_unknownFields is not null) size += _unknownFields.CalculateSize();
        return size;
    }

    public void MergeFrom(DoublesMessage other)
    {
        if (other is null) return;
        _values.Add(other._values);
        _unknownFields = UnknownFieldSet.MergeFrom(_unknownFields, other._unknownFields);
    }

    public void MergeFrom(CodedInputStream input) => input.ReadRawMessage(this);

    void IBufferMessage.InternalMergeFrom(ref ParseContext input)
    {
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if ((tag & 7) == 4) return;
            switch (tag)
            {
                case 10:
                case 9: _values.AddEntriesFrom(ref input, ValuesCodec); break;
                default: _unknownFields = UnknownFieldSet.MergeFieldFrom(_unknownFields, ref input); break;
            }
        }
    }
}
