package polyproc.bridge;

import java.util.ArrayList;
import java.util.List;

import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;

/** Python's lists and bytes, read into Java, and Java's ints as a Python list. */
final class Values {
    private Values() {}

    static List<String> strings(Value array) {
        List<String> list = new ArrayList<>();
        for (long i = 0; i < array.getArraySize(); i++) {
            list.add(array.getArrayElement(i).asString());
        }
        return list;
    }

    static int[] ints(Value array) {
        int[] result = new int[(int) array.getArraySize()];
        for (int i = 0; i < result.length; i++) {
            result[i] = array.getArrayElement(i).asInt();
        }
        return result;
    }

    /** A list for Python (HostAccess.EXPLICIT hides a Java array's elements; a proxy is always readable). */
    static ProxyArray array(int... values) {
        List<Object> list = new ArrayList<>(values.length);
        for (int v : values) {
            list.add(v);
        }
        return ProxyArray.fromList(list);
    }

    static byte[] bytes(Value buffer) {
        byte[] result = new byte[(int) buffer.getBufferSize()];
        buffer.readBuffer(0, result, 0, result.length);
        return result;
    }
}
